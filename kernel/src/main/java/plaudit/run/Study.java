package plaudit.run;

import ai.djl.Device;
import plaudit.data.Comparison;
import plaudit.data.ComparisonsJsonl;
import plaudit.data.PairRules;
import plaudit.data.PairsJob;
import plaudit.data.Source;
import plaudit.data.Split;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.report.Plot;
import plaudit.report.Tables;
import plaudit.reward.RewardFunction;
import plaudit.sim.CorpusWriter;
import plaudit.sim.Forum;
import plaudit.sim.ForumConfig;
import plaudit.sim.ForumGenerator;
import plaudit.sim.GoldPreference;
import plaudit.sim.NoiseCeiling;
import plaudit.sim.PushshiftWriter;
import plaudit.text.BpeTrainer;
import plaudit.text.ByteLevelBpe;
import plaudit.text.Tokenizer;
import plaudit.train.Completions;
import plaudit.train.LmTrainer;
import plaudit.train.LrSchedule;
import plaudit.train.RewardModelScorer;
import plaudit.train.RewardTrainer;
import plaudit.train.SftTrainer;
import plaudit.train.TokenCorpus;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoSamples;
import plaudit.train.ppo.PpoTrainer;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The experiment that shows the pipeline works, on the synthetic forum where the gold preference is known:
 * forum → upvote pairs (SHP rules) → tokenizer → pretraining → SFT → reward model (re-centred on SFT samples) →
 * PPO with an adaptive KL penalty, PPO with β = 0, and best-of-n — every result measured against gold as well as
 * against the proxy reward. Writes {@code summary.csv}, each stage's {@code metrics.csv} and SVG plots.
 */
public final class Study {

    public enum Scale { TINY, SMALL, FULL }

    /** Sizes of one study; {@link #of(Scale)} gives the presets. */
    public record Settings(int threads, int vocab, GptConfig model, int pretrainSteps, int sftSteps, int rmSteps,
                           int ppoSteps, int ppoBatch, int ppoMiniBatch, int responseLength, double ppoLr,
                           double klCoef, double targetKl, int evalPrompts, int bonPrompts, int bonMaxN) {
        public static Settings of(Scale scale) {
            return switch (scale) {
                case TINY -> new Settings(500, 512, new GptConfig(2, 2, 64, 128, 512, 0.0),
                        120, 60, 80, 16, 16, 8, 32, 1e-4, 0.1, 4.0, 48, 16, 8);
                case SMALL -> new Settings(3000, 1024, new GptConfig(4, 4, 128, 192, 1024, 0.0),
                        300, 150, 200, 50, 32, 8, 48, 5e-5, 0.1, 8.0, 128, 48, 32);
                case FULL -> new Settings(3000, 1024, new GptConfig(4, 4, 128, 192, 1024, 0.0),
                        400, 200, 300, 100, 32, 8, 48, 5e-5, 0.1, 8.0, 256, 64, 64);
            };
        }
    }

    /**
     * The adaptive controller's horizon in rollout batches: Ziegler et al.'s 10,000 episodes were ~20 of their
     * 512-episode batches; runs of 50–100 steps need β to move within ~10 batches to hold the target.
     */
    static final int KL_HORIZON_BATCHES = 10;

    private final Path out;
    private final Settings s;
    private final Device device;
    private final long seed;
    private final GoldPreference gold = new GoldPreference();
    private final Map<String, Double> summary = new LinkedHashMap<>();

    public Study(Path out, Settings settings, Device device, long seed) {
        this.out = out;
        this.s = settings;
        this.device = device;
        this.seed = seed;
    }

    /** Runs every stage; returns the summary table (also written to {@code summary.csv}). */
    public Table run() throws IOException {
        Files.createDirectories(out.resolve("plots"));
        // 1. a forum whose gold preference we know, written as Pushshift dumps so the real readers are exercised
        stage("forum: " + s.threads() + " threads");
        Forum forum = new ForumGenerator(ForumConfig.builder().threads(s.threads()).seed(seed).build()).generate();
        Path forumDir = out.resolve("forum");
        List<Path> dumps = new PushshiftWriter(forum).write(forumDir, "forum", false);
        Path corpusFile = forumDir.resolve("corpus.txt");
        CorpusWriter.write(forum, corpusFile);
        summary.put("noise_ceiling", NoiseCeiling.of(forum).agreement());

        // 2. upvotes → comparisons with SHP's rules, split by thread
        stage("pairs");
        Map<Split, List<Comparison>> pairs = new LinkedHashMap<>();
        for (Split sp : Split.values()) pairs.put(sp, new ArrayList<>());
        try (ComparisonsJsonl.SplitWriter files = new ComparisonsJsonl.SplitWriter(out.resolve("pairs"), false)) {
            new PairsJob(Source.REDDIT, dumps, PairRules.defaults()).run(c -> {
                pairs.get(c.split()).add(c);
                files.accept(c);
            });
        }
        List<Comparison> train = pairs.get(Split.TRAIN), val = pairs.get(Split.VAL), test = pairs.get(Split.TEST);
        summary.put("pairs_train", (double) train.size());
        summary.put("pairs_val", (double) val.size());

        // 3. tokenizer and 4. pretraining on the forum's text
        stage("tokenizer + pretraining");
        List<String> docs = TokenCorpus.documents(Files.readString(corpusFile));
        ByteLevelBpe tok = BpeTrainer.train(docs, BpeTrainer.Config.of(s.vocab()));
        GptConfig cfg = s.model().withVocabSize(tok.vocabSize());
        try (Gpt sft = Gpt.init(cfg, device, seed)) {
            try (MetricsLog log = new MetricsLog("pretrain", out.resolve("pretrain/metrics.csv"))) {
                LmTrainer.train(sft, TokenCorpus.of(docs, tok, 20), new LmTrainer.Config(s.pretrainSteps(), 16, 1,
                        cfg.blockSize(), new LrSchedule(1e-3, 1e-4, s.pretrainSteps() / 10, s.pretrainSteps()), 0.1,
                        1.0, Math.max(1, s.pretrainSteps() / 4), 4, seed), log, 0, null);
                summary.put("pretrain_val_loss", last(log.table(), "val_loss"));
            }

            // 5. SFT on (post → top-voted reply)
            stage("sft");
            try (MetricsLog log = new MetricsLog("sft", out.resolve("sft/metrics.csv"))) {
                SftTrainer.train(sft, tok, SftTrainer.topReplies(train), SftTrainer.topReplies(val),
                        new SftTrainer.Config(s.sftSteps(), 16, 3e-4, s.sftSteps() / 10, 0.0, 1.0, s.responseLength(),
                                Math.max(1, s.sftSteps() / 4), seed), log);
                summary.put("sft_val_loss", last(log.table(), "val_loss"));
            }
            Checkpoint.writer().config(cfg).parameters(sft.parameters()).tokenizer(tok).write(out.resolve("sft/checkpoint"));

            // 6. reward model from the SFT trunk, Bradley–Terry on the upvote pairs
            stage("reward model");
            try (ScoreModel rm = ScoreModel.withNewHead(copy(sft), seed)) {
                RewardTrainer.Config rc = new RewardTrainer.Config(s.rmSteps(), 16, 1e-4, s.rmSteps() / 10, 0.0, 1.0,
                        s.responseLength(), false, 0.01, Math.max(1, s.rmSteps() / 4), seed);
                RewardTrainer.Evaluation ev;
                try (MetricsLog log = new MetricsLog("reward model", out.resolve("rm/metrics.csv"))) {
                    ev = RewardTrainer.train(rm, tok, train, val, gold, rc, log);
                }
                ev.accuracyByRatio().write().csv(out.resolve("rm/calibration.csv").toFile());
                summary.put("rm_val_accuracy", ev.accuracy());
                summary.put("rm_gold_agreement", ev.goldAgreement());
                plotRm(ev);

                // re-centre: SFT's own samples score mean 0 (Stiennon et al.), so β trades KL against a reward near 0
                List<String> evalPrompts = prompts(test.isEmpty() ? val : test, s.evalPrompts());
                RewardModelScorer proxy = new RewardModelScorer(rm, tok, s.responseLength(), 32);
                Completions sftSamples = sample(sft, tok, evalPrompts, 1, seed + 1);
                summary.put("rm_shift", proxy.recenterOn(sftSamples));
                double[] sftGold = gold.scoreAll(sftSamples.prompts(), sftSamples.responses());
                summary.put("sft_gold", mean(sftGold));
                rm.save(out.resolve("rm/checkpoint"), tok);

                // 7. PPO with the adaptive KL controller, and 8. with β = 0 (over-optimisation)
                List<String> trainPrompts = prompts(train, Integer.MAX_VALUE);
                PpoConfig base = PpoConfig.builder().steps(s.ppoSteps()).batchSize(s.ppoBatch())
                        .miniBatchSize(s.ppoMiniBatch()).lr(s.ppoLr()).responseLength(s.responseLength())
                        .klCoef(s.klCoef()).sampleEvery(Math.max(1, s.ppoSteps() / 5)).seed(seed).build();
                Table adaptive = ppo("ppo_adaptive", sft, rm, proxy, tok, trainPrompts,
                        base.toBuilder().adaptiveKl(s.targetKl(), KL_HORIZON_BATCHES * s.ppoBatch()).build(),
                        evalPrompts, sftSamples, sftGold);
                Table beta0 = ppo("ppo_beta0", sft, rm, proxy, tok, trainPrompts, base.toBuilder().fixedKl(0).build(),
                        null, null, null);
                DoubleColumn g0 = beta0.doubleColumn("objective/gold");
                summary.put("beta0_proxy_final", lastMean(beta0, "objective/scores"));
                summary.put("beta0_gold_peak", g0.max());
                summary.put("beta0_gold_final", lastMean(beta0, "objective/gold"));
                plotOveroptimisation(beta0);

                // 9. best-of-n from SFT on the same gold-vs-KL axes
                stage("best-of-n");
                Table bon = bestOfN(sft, tok, proxy, prompts(test.isEmpty() ? val : test, s.bonPrompts()));
                bon.write().csv(out.resolve("best_of_n.csv").toFile());
                plotGoldVsKl(bon, adaptive, beta0);
            }
        }
        Table t = summaryTable();
        t.write().csv(out.resolve("summary.csv").toFile());
        return t;
    }

    /** One PPO run from SFT, value function from the RM; with eval prompts also the gold win rate against SFT. */
    private Table ppo(String name, Gpt sft, ScoreModel rm, RewardFunction proxy, Tokenizer tok, List<String> prompts,
                      PpoConfig cfg, List<String> evalPrompts, Completions sftSamples, double[] sftGold) throws IOException {
        stage(name + " (" + (cfg.adaptiveKl() ? "adaptive KL, target " + cfg.targetKl() : "β = " + cfg.klCoef()) + ")");
        Path dir = out.resolve(name);
        List<PpoTrainer.Sample> samples = new ArrayList<>();
        try (Gpt policy = copy(sft);
             ScoreModel value = ScoreModel.withHead(copy(rm.trunk()), rm.headParameters());
             MetricsLog log = new MetricsLog(name, dir.resolve("metrics.csv"))) {
            PpoTrainer ppo = new PpoTrainer(policy, sft, value, proxy, gold, tok, prompts, cfg);
            ppo.train(log, samples, null);
            PpoSamples.table(samples).write().csv(dir.resolve("samples.csv").toFile());
            Table t = log.table();
            Plot.lines(t, "step", "objective/scores", "objective/gold", "objective/kl").toBuilder()
                    .title(name + ": proxy reward, gold reward and KL").build()
                    .write(out.resolve("plots/" + name + ".svg"));
            if (evalPrompts != null) {
                Completions ppoSamples = sample(policy, tok, sftSamples.prompts(), 1, seed + 1);
                double[] ppoGold = gold.scoreAll(ppoSamples.prompts(), ppoSamples.responses());
                double wins = 0;
                for (int i = 0; i < ppoGold.length; i++) wins += ppoGold[i] > sftGold[i] ? 1 : ppoGold[i] == sftGold[i] ? 0.5 : 0;
                summary.put("ppo_gold", mean(ppoGold));
                summary.put("ppo_gold_winrate_vs_sft", wins / ppoGold.length);
                summary.put("ppo_kl", lastMean(t, "objective/kl"));
                summary.put("ppo_proxy_final", lastMean(t, "objective/scores"));
            }
            return t;
        } finally {
            sft.setTrainable(false);
        }
    }

    /**
     * Best-of-n: n samples from SFT, keep the proxy's favourite. Every n uses disjoint groups of the same samples.
     * KL(best-of-n ‖ SFT) = log n − (n − 1)/n (Stiennon et al. 2020, appendix).
     */
    private Table bestOfN(Gpt sft, Tokenizer tok, RewardFunction proxy, List<String> prompts) {
        int maxN = s.bonMaxN();
        Completions all = sample(sft, tok, prompts, maxN, seed + 7);
        double[] proxyScores = proxy.scoreAll(all.prompts(), all.responses());
        double[] goldScores = gold.scoreAll(all.prompts(), all.responses());
        IntColumn nCol = IntColumn.create("n");
        DoubleColumn kl = DoubleColumn.create("kl"), g = DoubleColumn.create("gold"), p = DoubleColumn.create("proxy");
        for (int n = 1; n <= maxN; n *= 2) {
            double gs = 0, ps = 0;
            int groups = 0;
            for (int q = 0; q < prompts.size(); q++) {
                for (int start = 0; start + n <= maxN; start += n) {
                    int best = -1;
                    for (int k = start; k < start + n; k++) {
                        int idx = q * maxN + k;
                        if (best < 0 || proxyScores[idx] > proxyScores[best]) best = idx;
                    }
                    gs += goldScores[best];
                    ps += proxyScores[best];
                    groups++;
                }
            }
            nCol.append(n);
            kl.append(Math.log(n) - (n - 1.0) / n);
            g.append(gs / groups);
            p.append(ps / groups);
        }
        summary.put("bon_gold_max_n", g.get(g.size() - 1));
        return Tables.readable(Table.create("best-of-n from SFT", nCol, kl, g, p));
    }

    /** {@code perPrompt} samples per prompt at the rollout's temperature 1. */
    private Completions sample(Gpt model, Tokenizer tok, List<String> prompts, int perPrompt, long samplingSeed) {
        return Completions.sample(model, tok, prompts, perPrompt, s.responseLength(), 1.0, samplingSeed);
    }

    private static List<String> prompts(List<Comparison> pairs, int max) {
        LinkedHashSet<String> set = new LinkedHashSet<>();
        for (Comparison c : pairs) {
            if (set.size() >= max) break;
            set.add(c.prompt());
        }
        return new ArrayList<>(set);
    }

    private Gpt copy(Gpt m) {
        return Gpt.fromParameters(m.config(), m.parameters(), device);
    }

    private void plotRm(RewardTrainer.Evaluation ev) {
        double ceiling = summary.get("noise_ceiling");
        Table t = ev.accuracyByRatio();
        double[] x = new double[t.rowCount()];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        Plot.builder().title("Reward model: held-out accuracy on upvote pairs by score-ratio bucket")
                .xLabel("score-ratio bucket (1: 1–2, 2: 2–3, 3: 3–5, 4: 5–10, 5: ≥ 10)").yLabel("accuracy")
                .linePoints("RM accuracy on upvote pairs", x, t.doubleColumn("accuracy").asDoubleArray())
                .reference(String.format("overall accuracy %.3f", ev.accuracy()), ev.accuracy())
                .reference(String.format("agreement with gold %.3f", ev.goldAgreement()), ev.goldAgreement())
                .reference(String.format("voters' noise ceiling %.3f", ceiling), ceiling)
                .reference("chance", 0.5).build().write(out.resolve("plots/reward_model.svg"));
    }

    private void plotOveroptimisation(Table beta0) {
        Plot.builder().title("PPO with β = 0: the proxy keeps rising, gold does not (over-optimisation)")
                .xLabel("KL from SFT (nats)").yLabel("reward")
                .linePoints("proxy (reward model)", beta0.doubleColumn("objective/kl").asDoubleArray(),
                        beta0.doubleColumn("objective/scores").asDoubleArray())
                .linePoints("gold", beta0.doubleColumn("objective/kl").asDoubleArray(),
                        beta0.doubleColumn("objective/gold").asDoubleArray())
                .reference("SFT gold", summary.get("sft_gold"))
                .build().write(out.resolve("plots/overoptimisation.svg"));
    }

    private void plotGoldVsKl(Table bon, Table adaptive, Table beta0) {
        Plot.builder().title("Gold reward vs KL from SFT").xLabel("KL from SFT (nats)").yLabel("gold reward")
                .linePoints("best-of-n", bon.doubleColumn("kl").asDoubleArray(), bon.doubleColumn("gold").asDoubleArray())
                .points("PPO, adaptive KL", adaptive.doubleColumn("objective/kl").asDoubleArray(),
                        adaptive.doubleColumn("objective/gold").asDoubleArray())
                .points("PPO, β = 0", beta0.doubleColumn("objective/kl").asDoubleArray(),
                        beta0.doubleColumn("objective/gold").asDoubleArray())
                .reference("SFT", summary.get("sft_gold"))
                .build().write(out.resolve("plots/gold_vs_kl.svg"));
    }

    private Table summaryTable() {
        StringColumn metric = StringColumn.create("metric");
        DoubleColumn value = DoubleColumn.create("value");
        summary.forEach((k, v) -> {
            metric.append(k);
            value.append(v);
        });
        return Tables.readable(Table.create("study summary", metric, value));
    }

    private static double last(Table t, String col) {
        DoubleColumn c = t.doubleColumn(col).removeMissing();
        return c.isEmpty() ? Double.NaN : c.get(c.size() - 1);
    }

    /** Mean of the last fifth of a column (at least one row): the end of a noisy curve. */
    private static double lastMean(Table t, String col) {
        DoubleColumn c = t.doubleColumn(col).removeMissing();
        int k = Math.max(1, c.size() / 5);
        double sum = 0;
        for (int i = c.size() - k; i < c.size(); i++) sum += c.get(i);
        return sum / k;
    }

    private static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElse(Double.NaN);
    }

    private static void stage(String what) {
        System.err.println("study: " + what);
    }
}
