package plaudit.experiment;

import ai.djl.Device;
import plaudit.UserError;
import plaudit.model.GptConfig;
import plaudit.report.Plot;
import plaudit.train.ppo.PpoConfig;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The experiment that shows the pipeline works, on the synthetic forum where the gold preference is known:
 * forum → upvote pairs (SHP rules) → tokenizer → pretraining → SFT → reward model (re-centred on SFT samples) →
 * PPO with an adaptive KL penalty, PPO with β = 0, and best-of-n — every result measured against gold as well as
 * against the proxy reward. Writes {@code summary.csv}, each stage's {@code metrics.csv} and SVG plots.
 *
 * <p>A preset of {@link Experiment} ({@link #experiment}) run by {@link ExperimentRunner}, plus the runs only the
 * study makes: the β = 0 run and the plots that put both PPO runs and best-of-n on one axis.
 */
public final class Study {

    public enum Scale {
        TINY, SMALL, FULL;

        /** {@code tiny}, {@code small} or {@code full}, any case; anything else fails naming the three. */
        public static Scale parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UserError("--scale " + s + " is unknown; use tiny, small or full");
            }
        }
    }

    /**
     * Sizes of one study; {@link #of(Scale)} gives the presets. {@code ppo} is the adaptive-KL run's (its seed is the
     * study's), {@code beta0Steps} the β = 0 run's, long enough for over-optimisation to show. {@code pretrainSteps}
     * is short on purpose: how much the SFT model writes like the forum decides what PPO can still fix against an
     * upvote-trained reward model. {@code evalSamples} responses per held-out prompt and policy keep the win rate's
     * standard error ({@code ppo_gold_winrate_se}) small on a forum with few held-out prompts. {@code rmReadout} and
     * {@code sftReplies} are the reward model's recipe. Why each preset is what it is, with the runs that measured
     * it: docs/evidence.md.
     */
    public record Settings(int threads, int vocab, GptConfig model, int pretrainSteps, int sftSteps, int rmSteps,
                           PpoConfig ppo, int beta0Steps, int evalPrompts, int evalSamples, int bonPrompts, int bonMaxN,
                           String rmReadout, int sftReplies) {
        public static Settings of(Scale scale) {
            return switch (scale) {
                case TINY -> new Settings(500, 512, new GptConfig(2, 2, 64, 128, 512, 0.0),
                        120, 60, 80, ppo(16, 16, 32, 1e-4, 4.0), 16, 48, 2, 16, 8, "mean", 2);
                case SMALL -> new Settings(3000, 1024, new GptConfig(4, 4, 128, 192, 1024, 0.0),
                        300, 150, 200, ppo(100, 32, 48, 5e-5, 8.0), 50, 128, 8, 48, 32, "mean", 2);
                case FULL -> new Settings(3000, 1024, new GptConfig(4, 4, 128, 192, 1024, 0.0),
                        400, 200, 300, ppo(300, 32, 48, 5e-5, 8.0), 100, 256, 16, 64, 64, "mean", 2);
            };
        }

        /**
         * The presets' PPO: minibatches of 8, the weights averaged over the second half, the adaptive controller from
         * β = 0.1 with a horizon of {@link #KL_HORIZON_BATCHES} batches, the value head on the policy's trunk, samples
         * five times per run; every other setting at {@link PpoConfig}'s default.
         */
        private static PpoConfig ppo(int steps, int batchSize, int responseLength, double lr, double targetKl) {
            return PpoConfig.SETTINGS.builder().set(PpoConfig.STEPS, steps).set(PpoConfig.BATCH_SIZE, batchSize)
                    .set(PpoConfig.MINI_BATCH_SIZE, 8).set(PpoConfig.LR, lr).set(PpoConfig.AVERAGE_TAIL, 0.5)
                    .set(PpoConfig.RESPONSE_LENGTH, responseLength).set(PpoConfig.KL_COEF, 0.1)
                    .set(PpoConfig.SHARED_TRUNK, true).set(PpoConfig.SAMPLE_EVERY, Math.max(1, steps / 5)).build()
                    .withAdaptiveKl(targetKl, KL_HORIZON_BATCHES * batchSize);
        }
    }

    /**
     * The adaptive controller's horizon in rollout batches: Ziegler et al.'s 10,000 episodes were ~20 of their
     * 512-episode batches; runs of 50–100 steps need β to move within ~10 batches to hold the target.
     */
    static final int KL_HORIZON_BATCHES = 10;

    private final Path out;
    private final Settings s;
    private final Path forum;
    private final Device device;
    private final long seed;

    /** @param forum a forum folder written by {@code plaudit forum} (e.g. samples/forum); null = generate one */
    public Study(Path out, Settings settings, Path forum, Device device, long seed) {
        this.out = out;
        this.s = settings;
        this.forum = forum;
        this.device = device;
        this.seed = seed;
    }

    /**
     * The study's experiment: the synthetic forum at the preset's size (or the forum in {@code forum}, when not null),
     * PPO with the adaptive KL controller.
     */
    public static Experiment experiment(Settings s, Path forum, String device, long seed) {
        Experiment d = Experiment.defaults();
        PpoConfig ppo = s.ppo().toBuilder().set(PpoConfig.SEED, seed).build();
        List<Integer> ns = new ArrayList<>();
        for (int n = 1; n <= s.bonMaxN(); n *= 2) ns.add(n);
        Experiment.Data data = new Experiment.Data(Experiment.SYNTHETIC,
                forum == null ? List.of() : List.of(forum.toString()),
                new Experiment.Forum(s.threads(), d.data().forum().voters(), d.data().forum().voteNoise(),
                        d.data().forum().charm(), d.data().forum().lengthBias(), d.data().forum().hypeBias(),
                        d.data().forum().herding()), null, Experiment.Rules.defaults());
        return new Experiment(data, new Experiment.Tokenizer(s.vocab(), null), s.model(),
                new Experiment.Pretrain(s.pretrainSteps(), 16, 1e-3), new Experiment.Sft(s.sftSteps(), 16, 3e-4),
                new Experiment.RewardModel(s.rmSteps(), 16, 1e-4, s.rmReadout(), s.sftReplies(), 30), ppo,
                new Experiment.Evaluation(true, s.evalPrompts(), s.evalSamples(), ns, s.bonPrompts()), device, seed);
    }

    /** Runs every stage; returns the summary table (also written to {@code summary.csv}). */
    public Table run() {
        Experiment e = experiment(s, forum, deviceSpec(device), seed);
        try (ExperimentRunner.Session session = new ExperimentRunner(out, "study").train(e, null)) {
            // PPO with the adaptive KL controller, and with β = 0 (over-optimisation: the live policy, not averaged)
            // measured as "ppo": summary.csv reports the study's PPO as ppo_kl, ppo_gold_winrate_vs_sft, ...
            Table adaptive = session.ppo("ppo_adaptive", e.ppo(), "ppo");
            Table beta0 = session.ppo("ppo_beta0", e.ppo().withFixedKl(0).toBuilder().set(PpoConfig.AVERAGE_TAIL, 0.0)
                    .set(PpoConfig.STEPS, s.beta0Steps()).set(PpoConfig.SAMPLE_EVERY, Math.max(1, s.beta0Steps() / 5))
                    .build(), false);
            DoubleColumn g0 = beta0.doubleColumn("objective/gold");
            session.put("beta0_proxy_final", ExperimentRunner.lastMean(beta0, "objective/scores"));
            session.put("beta0_gold_peak", g0.max());
            session.put("beta0_gold_final", ExperimentRunner.lastMean(beta0, "objective/gold"));
            double sftGold = session.summary().get("sft_gold");
            session.plot("overoptimisation", overoptimisation(beta0, sftGold));

            // best-of-n from SFT on the same gold-vs-KL axes
            Table bon = session.bestOfN();
            Map<String, Double> m = session.summary();
            session.plot("gold_vs_kl", goldVsKl(bon, adaptive, beta0, sftGold, m.get("ppo_kl"), m.get("ppo_gold")));
            return session.result().summary();
        }
    }

    /** The experiment spec's name of a device: {@code cpu} or {@code gpu:N}. */
    static String deviceSpec(Device d) {
        return d.isGpu() ? "gpu:" + d.getDeviceId() : "cpu";
    }

    private static Plot overoptimisation(Table beta0, double sftGold) {
        return Plot.builder().title("PPO with β = 0: the proxy keeps rising, gold does not (over-optimisation)")
                .xLabel("KL from SFT (nats)").yLabel("reward")
                .linePoints("proxy (reward model)", beta0.doubleColumn("objective/kl").asDoubleArray(),
                        beta0.doubleColumn("objective/scores").asDoubleArray())
                .linePoints("gold", beta0.doubleColumn("objective/kl").asDoubleArray(),
                        beta0.doubleColumn("objective/gold").asDoubleArray())
                .reference("SFT gold", sftGold)
                .build();
    }

    /**
     * Best-of-n, PPO's rollout batches (live iterates) and the final PPO policy measured on the held-out prompts
     * (with {@code averageTail}, the mean of the tail's iterates: lower KL than the last batches, as a rule).
     */
    private static Plot goldVsKl(Table bon, Table adaptive, Table beta0, double sftGold, double ppoKl, double ppoGold) {
        return Plot.builder().title("Gold reward vs KL from SFT").xLabel("KL from SFT (nats)").yLabel("gold reward")
                .linePoints("best-of-n", bon.doubleColumn("kl").asDoubleArray(), bon.doubleColumn("gold").asDoubleArray())
                .points("PPO, adaptive KL", adaptive.doubleColumn("objective/kl").asDoubleArray(),
                        adaptive.doubleColumn("objective/gold").asDoubleArray())
                .points("PPO, β = 0", beta0.doubleColumn("objective/kl").asDoubleArray(),
                        beta0.doubleColumn("objective/gold").asDoubleArray())
                .points("PPO, final policy (held-out prompts)", new double[] {ppoKl}, new double[] {ppoGold})
                .reference("SFT", sftGold)
                .build();
    }
}
