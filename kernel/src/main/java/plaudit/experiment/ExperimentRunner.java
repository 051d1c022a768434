package plaudit.experiment;

import plaudit.train.pg.Sample;

import ai.djl.Device;
import plaudit.data.Comparison;
import plaudit.data.ComparisonsJsonl;
import plaudit.data.DataStats;
import plaudit.data.PairsJob;
import plaudit.data.Source;
import plaudit.data.Split;
import plaudit.data.source.ColumnMap;
import plaudit.model.Checkpoint;
import plaudit.model.Devices;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.report.Plot;
import plaudit.report.Tables;
import plaudit.data.RewardFunction;
import plaudit.reward.Rewards;
import plaudit.sim.CorpusWriter;
import plaudit.sim.Forum;
import plaudit.sim.ForumGenerator;
import plaudit.sim.ForumMeta;
import plaudit.train.steer.SteerConfig;
import plaudit.train.steer.SteerResult;
import plaudit.train.steer.Steering;
import plaudit.sim.GoldPreference;
import plaudit.sim.NoiseCeiling;
import plaudit.sim.PushshiftWriter;
import plaudit.sim.ReplyVotes;
import plaudit.text.BpeTrainer;
import plaudit.text.ByteLevelBpe;
import plaudit.text.Tokenizer;
import plaudit.train.Completions;
import plaudit.train.DpoTrainer;
import plaudit.train.LmTrainer;
import plaudit.train.LrSchedule;
import plaudit.reward.RewardModelScorer;
import plaudit.train.RewardTrainer;
import plaudit.train.SftTrainer;
import plaudit.train.TokenCorpus;
import plaudit.train.pg.PolicyGradientTrainer;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.pg.SamplesCsv;
import plaudit.train.ppo.PpoTrainer;
import plaudit.train.pg.ResumableTraining;
import plaudit.train.pg.Rollout;
import plaudit.train.rloo.RlooConfig;
import plaudit.train.rloo.RlooTrainer;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Runs an {@link Experiment} on this machine, stage by stage: comparisons → tokenizer → pretraining → SFT → reward
 * model (re-centred on SFT's samples) → PPO → best-of-n, writing each stage's metrics, plots and checkpoints under
 * one folder. {@link #run} does all of it; {@link #train} stops after the reward model and hands back a
 * {@link Session} on which further PPO runs and best-of-n can be made (as {@link Study} does).
 *
 * <p>A {@linkplain #resumable resumable} runner (the remote worker's) checkpoints PPO as it goes and, started again on
 * the folder of an interrupted run, skips every stage whose checkpoint is complete and continues PPO from its last
 * checkpoint; since every stage is seeded, the result is that of an uninterrupted run.
 */
public final class ExperimentRunner implements Runner {
    /** Folders (and metrics names) of the pipeline's stages, which a PPO run's name must not reuse. */
    private static final List<String> STAGE_FOLDERS = List.of("forum", "pairs", "pretrain", "sft", "rm", "plots");

    private final Path out;
    private final String label;
    private final boolean resume;
    private final BooleanSupplier cancelled;

    /** @param out the folder for everything the run writes */
    public ExperimentRunner(Path out) {
        this(out, "experiment");
    }

    /** @param label prefix of the stage lines printed on standard error */
    public ExperimentRunner(Path out, String label) {
        this(out, label, false, () -> false);
    }

    private ExperimentRunner(Path out, String label, boolean resume, BooleanSupplier cancelled) {
        this.out = out;
        this.label = label;
        this.resume = resume;
        this.cancelled = cancelled;
    }

    /**
     * This runner, resuming whatever an earlier run left in its folder, and stopping with a
     * {@link CancellationException} at the next stage or PPO step once {@code cancelled} says so.
     */
    public ExperimentRunner resumable(BooleanSupplier cancelled) {
        return new ExperimentRunner(out, label, true, cancelled);
    }

    @Override
    public ExperimentResult run(Experiment experiment, UnaryOperator<RewardFunction> reward) {
        try (Session s = train(experiment, reward)) {
            s.ppo("ppo", experiment.ppo(), true);
            if (!experiment.evaluation().bestOfN().isEmpty()) s.bestOfN();
            return s.result();
        }
    }

    /** Runs the stages up to the reward model; the caller closes the session (it holds the models). */
    public Session train(Experiment experiment, UnaryOperator<RewardFunction> reward) {
        Session s = new Session(experiment);
        try {
            s.train(reward);
            return s;
        } catch (IOException e) {
            s.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /** The trained SFT model and reward model of one experiment, and everything measured so far. */
    public final class Session implements AutoCloseable {
        private final Experiment e;
        private final Device device;
        private final long seed;
        private final Map<String, Double> summary = new LinkedHashMap<>();
        private final Map<String, Table> metrics = new LinkedHashMap<>();
        private final Map<String, Table> samples = new LinkedHashMap<>();
        private final Map<String, Plot> plots = new LinkedHashMap<>();
        private final Map<String, Path> checkpoints = new LinkedHashMap<>();
        private RewardFunction gold;
        private Table dataStats;
        private Table bestOfN;
        private List<Comparison> train, heldOut;
        private ByteLevelBpe tok;
        private Gpt sft;
        private ScoreModel rm;
        private RewardModelScorer proxy;
        private RewardFunction reward;
        private Completions sftSamples;
        private double[] sftGold;

        private Session(Experiment e) {
            this.e = e;
            this.device = Devices.parse(e.device());
            this.seed = e.seed();
        }

        /** Headline numbers so far, in the order they were measured; add your own with {@link #put}. */
        public Map<String, Double> summary() {
            return Collections.unmodifiableMap(summary);
        }

        public void put(String metric, double value) {
            summary.put(metric, value);
        }

        /** The experiment this session runs. */
        public Experiment experiment() {
            return e;
        }

        /** The folder everything is written to. */
        public Path out() {
            return out;
        }

        /** The forum's gold preference, or null for real data. */
        public RewardFunction gold() {
            return gold;
        }

        private void train(UnaryOperator<RewardFunction> rewardOf) throws IOException {
            Files.createDirectories(out.resolve("plots"));
            Experiment.Data d = e.data();
            // 1. comparisons: from the synthetic forum (whose gold preference is known) written as Pushshift dumps, so
            // the real readers are exercised, or from real files
            List<Path> inputs;
            Source source;
            Path corpusFile = null;
            if (d.synthetic() && !d.files().isEmpty()) {
                Path dir = Path.of(d.files().get(0));
                stage("forum: " + dir);
                ForumMeta.Folder forum = ForumMeta.Folder.read(dir);
                inputs = forum.dumps();
                corpusFile = forum.corpus();
                summary.put("noise_ceiling", forum.noiseCeiling());
                if (e.evaluation().gold()) gold = new GoldPreference();
                source = Source.REDDIT;
            } else if (d.synthetic()) {
                stage("forum: " + d.forum().threads() + " threads");
                Forum forum = new ForumGenerator(d.forum().config(seed)).generate();
                Path forumDir = out.resolve("forum");
                inputs = new PushshiftWriter(forum).write(forumDir, "forum", false);
                corpusFile = forumDir.resolve(ForumMeta.Folder.CORPUS);
                CorpusWriter.write(forum, corpusFile);
                summary.put("noise_ceiling", NoiseCeiling.of(forum).agreement());
                if (e.evaluation().gold()) gold = new GoldPreference();
                source = Source.REDDIT;
            } else {
                inputs = d.files().stream().map(Path::of).toList();
                source = Source.of(d.source());
            }

            // 2. votes → comparisons with SHP's rules, split by thread
            stage("pairs");
            Map<Split, List<Comparison>> pairs = new EnumMap<>(Split.class);
            for (Split sp : Split.values()) pairs.put(sp, new ArrayList<>());
            PairsJob job = new PairsJob(source, inputs, d.rules().pairRules());
            if (d.columns() != null) job.optColumns(ColumnMap.parse(d.columns()));
            DataStats stats;
            try (ComparisonsJsonl.SplitWriter files = new ComparisonsJsonl.SplitWriter(out.resolve("pairs"), false)) {
                stats = job.run(c -> {
                    pairs.get(c.split()).add(c);
                    files.accept(c);
                });
                files.commit();
            }
            dataStats = stats.table();
            train = pairs.get(Split.TRAIN);
            List<Comparison> val = pairs.get(Split.VAL), test = pairs.get(Split.TEST);
            if (train.isEmpty()) {
                throw new plaudit.UserError("data: no training comparisons were built from " + inputs
                        + "; see the statistics (plaudit pairs prints them) and loosen data.rules");
            }
            // the policies never see a held-out prompt, so evaluation draws on both held-out splits: a 5 % split of
            // a small forum alone has too few prompts for a win rate
            heldOut = new ArrayList<>(test);
            heldOut.addAll(val);
            if (heldOut.isEmpty()) heldOut = train;
            // small real data sets may have no validation split: validate on what is held out, else on train
            List<Comparison> valPairs = !val.isEmpty() ? val : heldOut;
            summary.put("pairs_train", (double) train.size());
            summary.put("pairs_val", (double) val.size());

            int responseLength = e.ppo().responseLength();
            if (completed("sft")) {
                stage("tokenizer, pretraining and sft: resumed from " + out.resolve("sft/checkpoint"));
                Checkpoint c = Checkpoint.read(out.resolve("sft/checkpoint"));
                tok = ByteLevelBpe.fromTokenizerJson(c.tokenizerFiles().tokenizerJson());
                sft = c.model(device);
                for (String stage : List.of("pretrain", "sft")) {
                    Path csv = out.resolve(stage + "/metrics.csv");
                    if (Files.exists(csv)) metrics.put(stage, MetricsLog.read(stage, csv));
                }
                checkpoints.put("sft", c.dir());
                restoreSummary("sft");
            } else {
                trainSft(corpusFile, valPairs);
            }

            if (completed("rm")) {
                stage("reward model: resumed from " + out.resolve("rm/checkpoint"));
                rm = ScoreModel.load(Checkpoint.read(out.resolve("rm/checkpoint")), device);
                metrics.put("rm", MetricsLog.read("rm", out.resolve("rm/metrics.csv")));
                checkpoints.put("rm", out.resolve("rm/checkpoint"));
                restoreSummary("rm");
                plot("reward_model", rewardModelPlot(Table.read().csv(out.resolve("rm/calibration.csv").toFile()),
                        summary.get("rm_val_accuracy"), summary.get("rm_gold_agreement"), summary.get("noise_ceiling")));
                proxy = new RewardModelScorer(rm, tok, responseLength, 32); // re-centred before it was saved
                drawSftSamples();
            } else {
                trainRewardModel(valPairs);
            }
            reward = rewardOf(rewardOf);
        }

        /** Tokenizer, pretraining and SFT; writes {@code sft/checkpoint}. */
        private void trainSft(Path corpusFile, List<Comparison> valPairs) throws IOException {
            // 3. tokenizer and 4. pretraining on the corpus (the forum's text, or the comparisons' texts)
            stage("tokenizer + pretraining");
            List<String> docs = corpusFile != null ? TokenCorpus.documents(Files.readString(corpusFile)) : texts(train);
            tok = e.tokenizer().file() != null ? ByteLevelBpe.load(Path.of(e.tokenizer().file()))
                    : BpeTrainer.train(docs, BpeTrainer.Config.of(e.tokenizer().vocabSize()));
            GptConfig cfg = e.model().withVocabSize(tok.vocabSize());
            int responseLength = e.ppo().responseLength();
            sft = Gpt.init(cfg, device, seed);
            Experiment.Training pt = e.pretrain();
            if (pt.steps() > 0) {
                try (MetricsLog log = new MetricsLog("pretrain", out.resolve("pretrain/metrics.csv"))) {
                    LmTrainer.train(sft, TokenCorpus.of(docs, tok, 20), new LmTrainer.Config(pt.steps(), pt.batchSize(), 1,
                            cfg.blockSize(), new LrSchedule(pt.lr(), pt.lr() / 10, pt.steps() / 10, pt.steps()), 0.1,
                            1.0, Math.max(1, pt.steps() / 4), 4, seed), log, 0, null);
                    summary.put("pretrain_val_loss", last(log.table(), "val_loss"));
                    metrics.put("pretrain", log.table());
                }
            }

            // 5. SFT on (post → top-voted reply)
            stage("sft");
            Experiment.Training st = e.sft();
            try (MetricsLog log = new MetricsLog("sft", out.resolve("sft/metrics.csv"))) {
                SftTrainer.train(sft, tok, SftTrainer.topReplies(train), SftTrainer.topReplies(valPairs),
                        new SftTrainer.Config(st.steps(), st.batchSize(), st.lr(), st.steps() / 10, 0.0, 1.0,
                                responseLength, Math.max(1, st.steps() / 4), seed), log);
                summary.put("sft_val_loss", last(log.table(), "val_loss"));
                metrics.put("sft", log.table());
            }
            checkpoint("sft", w -> Checkpoint.writer().config(cfg).parameters(sft.parameters()).tokenizer(tok).write(w));
        }

        /** The reward model, re-centred on SFT's samples; writes {@code rm/checkpoint}. */
        private void trainRewardModel(List<Comparison> valPairs) throws IOException {
            // 6. reward model from the SFT trunk, Bradley–Terry on the comparisons
            stage("reward model");
            int responseLength = e.ppo().responseLength();
            Experiment.RewardModel rt = e.rewardModel();
            List<Comparison> rmTrain = rt.sftReplies() > 0 ? withReplyVotes(rt) : train;
            rm = ScoreModel.withNewHead(copy(sft), seed, rt.scoreReadout());
            RewardTrainer.Config rc = new RewardTrainer.Config(rt.steps(), rt.batchSize(), rt.lr(), rt.steps() / 10,
                    0.0, 1.0, responseLength, false, 0.01, Math.max(1, rt.steps() / 4), seed);
            RewardTrainer.Evaluation ev;
            try (MetricsLog log = new MetricsLog("reward model", out.resolve("rm/metrics.csv"))) {
                ev = RewardTrainer.train(rm, tok, rmTrain, valPairs, gold, rc, log);
                metrics.put("rm", log.table());
            }
            ev.accuracyByRatio().write().csv(out.resolve("rm/calibration.csv").toFile());
            summary.put("rm_val_accuracy", ev.accuracy());
            if (gold != null) summary.put("rm_gold_agreement", ev.goldAgreement());
            plotRm(ev);

            // re-centre: SFT's own samples score mean 0 (Stiennon et al.), so β trades KL against a reward near 0
            proxy = new RewardModelScorer(rm, tok, responseLength, 32);
            drawSftSamples();
            summary.put("rm_shift", proxy.recenterOn(sftSamples));
            if (gold != null) summary.put("sft_gold", mean(sftGold));
            checkpoint("rm", w -> rm.save(w, tok));
        }

        /**
         * The training comparisons plus the synthetic forum's votes on SFT's replies: {@code sftReplies} replies to
         * each training prompt (sampling seed + 3), voted on by {@code replyReaders} of the forum's readers; written to
         * {@code pairs/reply_votes.jsonl}. Records {@code reply_vote_pairs}, {@code reply_vote_ties} and
         * {@code reply_vote_gold_agreement}.
         */
        private List<Comparison> withReplyVotes(Experiment.RewardModel rt) throws IOException {
            stage("votes on SFT's replies: " + rt.sftReplies() + " per training prompt, " + rt.replyReaders()
                    + " readers each");
            Map<String, Comparison> byPrompt = new LinkedHashMap<>();
            for (Comparison c : train) byPrompt.putIfAbsent(c.prompt(), c);
            List<Comparison> prompts = new ArrayList<>(byPrompt.values());
            Completions replies = sample(sft, new ArrayList<>(byPrompt.keySet()), rt.sftReplies(), seed + 3);
            ReplyVotes.Result votes = new ReplyVotes(e.data().forum().config(seed), rt.replyReaders())
                    .compare(prompts, replies.responses(), rt.sftReplies(), seed);
            ComparisonsJsonl.write(out.resolve("pairs/reply_votes.jsonl"), votes.pairs(), false);
            summary.put("reply_vote_pairs", (double) votes.pairs().size());
            summary.put("reply_vote_ties", (double) votes.ties());
            if (gold != null) summary.put("reply_vote_gold_agreement", votes.goldAgreement());
            List<Comparison> all = new ArrayList<>(train);
            all.addAll(votes.pairs());
            return all;
        }

        /**
         * SFT's responses to the held-out evaluation prompts, {@code evaluation.samples} per prompt, and their gold:
         * what the reward is re-centred on and what every win rate compares with. One draw (seed + 1) for a run
         * and for its resumption, so that both measure against the same responses.
         */
        private void drawSftSamples() {
            sftSamples = sample(sft, evalPrompts(), e.evaluation().samples(), seed + 1);
            if (gold != null) sftGold = gold.scoreAll(sftSamples.prompts(), sftSamples.responses());
        }

        /** Whether an earlier run of a resumable runner finished stage {@code name} (checkpoints are written atomically). */
        private boolean completed(String name) {
            return resume && Files.isRegularFile(out.resolve(name + "/checkpoint/" + Checkpoint.CONFIG));
        }

        /** The headline numbers measured up to a resumed stage, as {@link #checkpoint} saved them. */
        private void restoreSummary(String name) throws IOException {
            Map<?, ?> saved = JSON.readValue(out.resolve(name + "/" + SUMMARY_SO_FAR).toFile(), Map.class);
            saved.forEach((k, v) -> summary.putIfAbsent((String) k, ((Number) v).doubleValue()));
        }

        private List<String> evalPrompts() {
            return Comparison.prompts(heldOut, e.evaluation().prompts());
        }

        private RewardFunction rewardOf(UnaryOperator<RewardFunction> rewardOf) {
            return rewardOf == null ? proxy : Rewards.checked(rewardOf.apply(proxy));
        }

        /**
         * One PPO run from SFT against the experiment's reward, the value function initialised from the reward
         * model. Writes {@code NAME/metrics.csv}, {@code NAME/samples.csv} and {@code plots/NAME.svg}. With
         * {@code compareWithSft}, also measures the trained policy on the held-out prompts: gold mean and win rate
         * against SFT ({@code ppo_gold}, {@code ppo_gold_winrate_vs_sft}), final KL and reward.
         */
        public Table ppo(String name, PpoConfig cfg, boolean compareWithSft) {
            return ppo(name, cfg, compareWithSft, reward);
        }

        /** A PPO run against another reward made from the same reward model (e.g. to compare rewards side by side). */
        public Table ppo(String name, PpoConfig cfg, boolean compareWithSft, UnaryOperator<RewardFunction> rewardOf) {
            return ppo(name, cfg, compareWithSft, rewardOf(rewardOf));
        }

        private Table ppo(String name, PpoConfig cfg, boolean compareWithSft, RewardFunction reward) {
            if (STAGE_FOLDERS.contains(name)) {
                throw new plaudit.UserError("PPO run name '" + name + "' is taken by the pipeline's own folders "
                        + STAGE_FOLDERS + "; give the run another name, e.g. 'ppo_" + name + "'");
            }
            stage(name + " (" + (cfg.adaptiveKl() ? "adaptive KL, target " + cfg.targetKl() : "β = " + cfg.klCoef()) + ")");
            try (Gpt policy = copy(sft);
                 // null with a shared trunk: the trainer puts the value head on the policy
                 ScoreModel value = cfg.sharedTrunk() ? null : ScoreModel.withHead(copy(rm.trunk()), rm.headParameters(), rm.readout())) {
                PpoTrainer ppo = new PpoTrainer(policy, sft, value, reward, gold, tok, Comparison.prompts(train, Integer.MAX_VALUE), cfg);
                Table t = train(name, ppo, cfg.steps());
                if (compareWithSft) measure("ppo", policy);
                return t;
            } finally {
                sft.setTrainable(false);
            }
        }

        /**
         * DPO from SFT (reference = the frozen SFT model) on the training comparisons, validated on up to 512 held-out
         * ones. Writes {@code NAME/metrics.csv} and {@code plots/NAME.svg}; measures the trained policy with
         * {@link #measure}.
         */
        public Table dpo(String name, DpoTrainer.Config cfg) {
            stage(name + " (β = " + cfg.beta() + ")");
            try (Gpt policy = copy(sft); MetricsLog log = new MetricsLog(name, out.resolve(name + "/metrics.csv"))) {
                new DpoTrainer(policy, sft, tok, train, heldOut.subList(0, Math.min(512, heldOut.size())), cfg).train(log);
                Table t = log.table();
                metrics.put(name, t);
                plot(name, Plot.lines(t, "step", "rewards/chosen", "rewards/rejected", "rewards/margins").toBuilder()
                        .title(name + ": implicit rewards β·log(π/π_ref) of chosen and rejected replies").build());
                measure(name, policy);
                return t;
            }
        }

        /**
         * RLOO from SFT against the experiment's reward. Writes {@code NAME/metrics.csv}, {@code NAME/samples.csv} and
         * {@code plots/NAME.svg}; measures the trained policy with {@link #measure}.
         */
        public Table rloo(String name, RlooConfig cfg) {
            stage(name + " (k = " + cfg.k() + ", β = " + cfg.klCoef() + ")");
            try (Gpt policy = copy(sft)) {
                train(name, new RlooTrainer(policy, sft, reward, gold, tok, Comparison.prompts(train, Integer.MAX_VALUE), cfg),
                        cfg.steps());
                Table t = metrics.get(name);
                measure(name, policy);
                return t;
            } finally {
                sft.setTrainable(false);
            }
        }

        /**
         * Trains a policy-gradient run into {@code NAME/} ({@code metrics.csv}, {@code samples.csv}, {@code plots/NAME.svg});
         * a resumable runner checkpoints it 20 times per run and continues from the last checkpoint. Keeps its metrics
         * and samples tables under {@code name}.
         */
        private Table train(String name, PolicyGradientTrainer trainer, int steps) {
            Path dir = out.resolve(name);
            List<Sample> rows = new ArrayList<>();
            if (resume) {
                int at = ResumableTraining.resume(trainer, dir, rows);
                if (at > 0) stage(name + ": resumed at step " + at + " of " + steps);
            }
            Table t = ResumableTraining.run(name, trainer, dir, steps, resume ? Math.max(1, steps / 20) : 0, rows,
                    step -> {
                        if (cancelled.getAsBoolean()) throw new CancellationException(label + ": cancelled at " + name + " step " + step);
                    });
            samples.put(name, SamplesCsv.table(rows));
            metrics.put(name, t);
            plot(name, ppoPlot(name, t, gold != null));
            return t;
        }

        /**
         * Samples {@code policy} on the held-out evaluation prompts, {@code evaluation.samples} per prompt as for SFT
         * (sampling seed + 1), and records {@code NAME_kl} (mean summed-k1 KL from SFT of those samples: the KL of the
         * policy that is evaluated, not of the last training batch), {@code NAME_proxy} (mean reward), and with gold
         * {@code NAME_gold}, {@code NAME_gold_winrate_vs_sft} (see {@link #winRate}) and its standard error
         * {@code NAME_gold_winrate_se}.
         */
        public void measure(String name, Gpt policy) {
            List<String> prompts = sftSamples.prompts();
            Rollout rollout = new Rollout(name, policy, sft, reward, gold, tok, prompts, e.ppo().responseLength(),
                    1.0, 0, 0);
            int n = prompts.size();
            double[] kl = new double[n], proxy = new double[n], goldScores = new double[n];
            // in batches, as Completions samples: one batch of all ~1200 evaluation responses held several GB of logits
            for (int from = 0; from < n; from += Completions.BATCH) {
                int to = Math.min(n, from + Completions.BATCH);
                Rollout.Episodes ep = rollout.collect(prompts.subList(from, to), seed + 1 + from, 0);
                System.arraycopy(ep.sequenceKl(), 0, kl, from, to - from);
                System.arraycopy(ep.scores(), 0, proxy, from, to - from);
                if (gold != null) System.arraycopy(ep.goldScores(), 0, goldScores, from, to - from);
            }
            summary.put(name + "_kl", mean(kl));
            summary.put(name + "_proxy", mean(proxy));
            if (gold != null) {
                summary.put(name + "_gold", mean(goldScores));
                int k = e.evaluation().samples();
                summary.put(name + "_gold_winrate_vs_sft", winRate(goldScores, sftGold, k));
                summary.put(name + "_gold_winrate_se", winRateStandardError(goldScores, sftGold, k));
            }
        }

        /**
         * Goal steering of the frozen SFT model towards {@code target} (soft prompt, {@link Steering}): trained on up to
         * 64 training prompts, measured on the held-out evaluation prompts. Records {@code NAME_kl}, {@code NAME_gold},
         * {@code NAME_p_target_before} and {@code NAME_p_target_after}; writes and returns {@code NAME/steer.csv}.
         */
        public Table steer(String name, String target, SteerConfig cfg) {
            stage(name + " (goal steering towards \"" + target + "\")");
            List<SteerResult> r = Steering.run(sft, tok, Comparison.prompts(train, 64), evalPrompts(), target, cfg,
                    List.of(Steering.Method.SOFT), gold);
            SteerResult soft = r.get(0);
            summary.put(name + "_kl", soft.kl());
            if (gold != null) summary.put(name + "_gold", soft.goldAfter());
            summary.put(name + "_p_target_before", soft.pTargetBefore());
            summary.put(name + "_p_target_after", soft.pTargetAfter());
            Table t = Steering.table(target, r);
            try {
                Files.createDirectories(out.resolve(name));
                t.write().csv(out.resolve(name + "/steer.csv").toFile());
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
            return t;
        }

        /**
         * Best-of-n from SFT: for each n of the evaluation, n samples, keep the reward's favourite. Every n uses
         * disjoint groups of the same max(n) samples per prompt. KL(best-of-n ‖ SFT) = log n − (n − 1)/n (Stiennon
         * et al. 2020, appendix). Writes {@code best_of_n.csv}.
         */
        public Table bestOfN() {
            stage("best-of-n");
            List<Integer> ns = e.evaluation().bestOfN();
            int maxN = Collections.max(ns);
            List<String> prompts = Comparison.prompts(heldOut, e.evaluation().bestOfNPrompts());
            Completions all = sample(sft, prompts, maxN, seed + 7);
            double[] rewardScores = reward.scoreAll(all.prompts(), all.responses());
            double[] goldScores = gold == null ? null : gold.scoreAll(all.prompts(), all.responses());
            IntColumn nCol = IntColumn.create("n");
            DoubleColumn kl = DoubleColumn.create("kl"), g = DoubleColumn.create("gold"), p = DoubleColumn.create("proxy");
            for (int n : ns) {
                double gs = 0, ps = 0;
                int groups = 0;
                for (int q = 0; q < prompts.size(); q++) {
                    for (int start = 0; start + n <= maxN; start += n) {
                        int best = -1;
                        for (int k = start; k < start + n; k++) {
                            int idx = q * maxN + k;
                            if (best < 0 || rewardScores[idx] > rewardScores[best]) best = idx;
                        }
                        gs += goldScores == null ? Double.NaN : goldScores[best];
                        ps += rewardScores[best];
                        groups++;
                    }
                }
                nCol.append(n);
                kl.append(Math.log(n) - (n - 1.0) / n);
                g.append(gs / groups);
                p.append(ps / groups);
            }
            if (gold != null) summary.put("bon_gold_max_n", g.get(g.size() - 1));
            bestOfN = Tables.readable(Table.create("best-of-n from SFT", nCol, kl, g, p));
            bestOfN.write().csv(out.resolve("best_of_n.csv").toFile());
            return bestOfN;
        }

        /** Adds a plot to the result and writes it to {@code plots/NAME.svg}. */
        public void plot(String name, Plot plot) {
            plot.write(out.resolve("plots/" + name + ".svg"));
            plots.put(name, plot);
        }

        /** The summary as a (metric, value) table. */
        public Table summaryTable() {
            StringColumn metric = StringColumn.create("metric");
            DoubleColumn value = DoubleColumn.create("value");
            summary.forEach((k, v) -> {
                metric.append(k);
                value.append(v);
            });
            return Tables.readable(Table.create(label + " summary", metric, value));
        }

        /** Everything so far; also writes {@code summary.csv}. */
        public ExperimentResult result() {
            Table t = summaryTable();
            t.write().csv(out.resolve("summary.csv").toFile());
            dataStats.write().csv(out.resolve("data.csv").toFile());
            return new ExperimentResult(t, dataStats, metrics, samples, bestOfN, plots, checkpoints, out);
        }

        @Override
        public void close() {
            if (rm != null) rm.close();
            if (sft != null) sft.close();
        }

        private void plotRm(RewardTrainer.Evaluation ev) {
            plot("reward_model", rewardModelPlot(ev.accuracyByRatio(), ev.accuracy(),
                    gold != null ? ev.goldAgreement() : null, summary.get("noise_ceiling")));
        }

        /** Writes a stage's checkpoint, after the headline numbers so far, which a resumed run reads back. */
        private void checkpoint(String name, CheckpointWrite write) throws IOException {
            Path dir = out.resolve(name + "/checkpoint");
            if (resume) {
                Path tmp = out.resolve(name + "/" + SUMMARY_SO_FAR + ".tmp");
                JSON.writeValue(tmp.toFile(), summary);
                Files.move(tmp, out.resolve(name + "/" + SUMMARY_SO_FAR), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            write.to(dir);
            checkpoints.put(name, dir);
        }

        /** {@code perPrompt} samples per prompt at the rollout's temperature 1. */
        private Completions sample(Gpt model, List<String> prompts, int perPrompt, long samplingSeed) {
            return Completions.sample(model, tok, prompts, perPrompt, e.ppo().responseLength(), 1.0, samplingSeed);
        }

        private Gpt copy(Gpt m) {
            return Gpt.fromParameters(m.config(), m.parameters(), device);
        }

        private void stage(String what) {
            if (cancelled.getAsBoolean()) throw new CancellationException(label + ": cancelled before " + what);
            System.err.println(label + ": " + what);
        }
    }

    /** Where a resumable run keeps the summary measured up to a stage's checkpoint ({@code NAME/summary-so-far.json}). */
    private static final String SUMMARY_SO_FAR = "summary-so-far.json";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A PPO run's plot: reward, gold reward (when known) and KL by step. */
    static Plot ppoPlot(String name, Table metrics, boolean gold) {
        return Plot.lines(metrics, "step", gold
                        ? new String[] {"objective/scores", "objective/gold", "objective/kl"}
                        : new String[] {"objective/scores", "objective/kl"}).toBuilder()
                .title(name + ": reward" + (gold ? ", gold reward" : "") + " and KL").build();
    }

    /**
     * The reward model's held-out accuracy by score-ratio bucket ({@code rm/calibration.csv}) with its references.
     *
     * @param goldAgreement null without a gold preference
     * @param ceiling       the voters' noise ceiling, null for real data
     */
    static Plot rewardModelPlot(Table calibration, double accuracy, Double goldAgreement, Double ceiling) {
        double[] x = new double[calibration.rowCount()];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        Plot.Builder b = Plot.builder().title("Reward model: held-out accuracy on upvote pairs by score-ratio bucket")
                .xLabel("score-ratio bucket (1: 1–2, 2: 2–3, 3: 3–5, 4: 5–10, 5: ≥ 10)").yLabel("accuracy")
                .linePoints("RM accuracy on upvote pairs", x, calibration.numberColumn("accuracy").asDoubleArray())
                .reference(String.format("overall accuracy %.3f", accuracy), accuracy);
        if (goldAgreement != null) b.reference(String.format("agreement with gold %.3f", goldAgreement), goldAgreement);
        if (ceiling != null) b.reference(String.format("voters' noise ceiling %.3f", ceiling), ceiling);
        return b.reference("chance", 0.5).build();
    }

    @FunctionalInterface
    private interface CheckpointWrite {
        void to(Path dir) throws IOException;
    }

    /**
     * How often a response of policy A beats one of policy B by gold, ties counting half, over every pair of their
     * responses to the same prompt ({@code perPrompt} each, prompt-major as {@link Completions} orders them).
     */
    static double winRate(double[] a, double[] b, int perPrompt) {
        double sum = 0;
        for (double w : winRateByPrompt(a, b, perPrompt)) sum += w;
        return sum / (a.length / perPrompt);
    }

    /**
     * The standard error of {@link #winRate}, with prompts as the independent units (the samples of one prompt are
     * not independent of each other): sd of the per-prompt win rates / √prompts. NaN with fewer than two prompts.
     */
    static double winRateStandardError(double[] a, double[] b, int perPrompt) {
        double[] w = winRateByPrompt(a, b, perPrompt);
        if (w.length < 2) return Double.NaN;
        double mean = 0, ss = 0;
        for (double x : w) mean += x / w.length;
        for (double x : w) ss += (x - mean) * (x - mean);
        return Math.sqrt(ss / (w.length - 1) / w.length);
    }

    private static double[] winRateByPrompt(double[] a, double[] b, int perPrompt) {
        // both sides must hold perPrompt responses to each prompt, in the same prompt order: anything else would
        // compare responses to different prompts
        if (perPrompt < 1 || a.length != b.length || a.length % perPrompt != 0) {
            throw new IllegalArgumentException("win rate needs two equal-length score arrays of " + perPrompt
                    + " responses per prompt, got " + a.length + " and " + b.length);
        }
        double[] rate = new double[a.length / perPrompt];
        for (int q = 0; q < rate.length; q++) {
            double wins = 0;
            for (int i = q * perPrompt; i < (q + 1) * perPrompt; i++) {
                for (int j = q * perPrompt; j < (q + 1) * perPrompt; j++) wins += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
            }
            rate[q] = wins / ((double) perPrompt * perPrompt);
        }
        return rate;
    }

    /** The distinct texts of the comparisons: the pretraining corpus when the data has no corpus of its own. */
    private static List<String> texts(List<Comparison> pairs) {
        LinkedHashSet<String> set = new LinkedHashSet<>();
        for (Comparison c : pairs) {
            set.add(c.prompt());
            set.add(c.chosen());
            set.add(c.rejected());
        }
        return new ArrayList<>(set);
    }

    private static double last(Table t, String col) {
        DoubleColumn c = t.doubleColumn(col).removeMissing();
        return c.isEmpty() ? Double.NaN : c.get(c.size() - 1);
    }

    /** Mean of the last fifth of a column (at least one row): the end of a noisy curve. */
    static double lastMean(Table t, String col) {
        DoubleColumn c = t.doubleColumn(col).removeMissing();
        int k = Math.max(1, c.size() / 5);
        double sum = 0;
        for (int i = c.size() - k; i < c.size(); i++) sum += c.get(i);
        return sum / k;
    }

    private static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElse(Double.NaN);
    }
}
