package plaudit.experiment;

import ai.djl.Device;
import plaudit.data.RewardFunction;
import plaudit.eval.WinRate;
import plaudit.model.CausalLm;
import plaudit.model.Devices;
import plaudit.model.FolderTokenizer;
import plaudit.report.Plot;
import plaudit.report.Tables;
import plaudit.reward.Rewards;
import plaudit.train.DpoTrainer;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.rloo.RlooConfig;
import plaudit.train.steer.SteerConfig;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Runs an {@link Experiment} on this machine, stage by stage: data ({@link DataStage}) → tokenizer and pretraining
 * ({@link PretrainStage}) → SFT ({@link SftStage}) → reward model re-centred on SFT's samples
 * ({@link RewardModelStage}) → PPO ({@link PolicyRuns}) → best-of-n ({@link BestOfNStage}), writing each stage's
 * metrics, plots and checkpoints under one folder. {@link #run} does all of it; {@link #train} stops after the reward
 * model and hands back a {@link Session} on which further policy runs and best-of-n can be made (as {@link Study} does).
 * Every constant the stages use beyond the spec is in {@link Recipe}. A run from a Hugging Face folder
 * ({@code model.from}) skips tokenizer training and pretraining; with LoRA every trained model is adapters on one copy
 * of the base weights (see the stages).
 *
 * <p>A {@linkplain #resumable resumable} runner (the remote worker's) checkpoints PPO as it goes and, started again on
 * the folder of an interrupted run, skips every stage whose checkpoint is complete and continues PPO from its last
 * checkpoint; since every stage is seeded, the result is that of an uninterrupted run.
 */
public final class ExperimentRunner implements Runner {
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
        private final RunState state = new RunState(out, label, resume, cancelled);
        private DataStage.Result data;
        private SftStage.Result sft;
        private RewardModelStage.Result rm;
        private RewardFunction reward;
        private PolicyRuns runs;
        private Table bestOfN;

        private Session(Experiment e) {
            this.e = e;
            this.device = Devices.parse(e.device());
        }

        /** Headline numbers so far, in the order they were measured; add your own with {@link #put}. */
        public Map<String, Double> summary() {
            return Collections.unmodifiableMap(state.summary);
        }

        public void put(String metric, double value) {
            state.summary.put(metric, value);
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
            return data.gold();
        }

        private void train(UnaryOperator<RewardFunction> rewardOf) throws IOException {
            e.checkModelFolder(); // before the data stage
            Files.createDirectories(out.resolve("plots"));
            data = DataStage.run(e, state);
            sft = SftStage.run(e, state, data, device);
            rm = RewardModelStage.run(e, state, data, sft.turns(), sft.model());
            reward = rewardOf(rewardOf);
            runs = new PolicyRuns(e, state, data, sft.turns(), sft.model(), rm, reward);
        }

        private RewardFunction rewardOf(UnaryOperator<RewardFunction> rewardOf) {
            return rewardOf == null ? rm.proxy() : Rewards.checked(rewardOf.apply(rm.proxy()));
        }

        /**
         * One PPO run from SFT against the experiment's reward, the value function initialised from the reward
         * model. Writes {@code NAME/metrics.csv}, {@code NAME/samples.csv} and {@code plots/NAME.svg}. With
         * {@code compareWithSft}, also measures the trained policy on the held-out prompts under its own name
         * ({@code NAME_kl}, {@code NAME_gold_winrate_vs_sft}, …; see {@link #measure}).
         */
        public Table ppo(String name, PpoConfig cfg, boolean compareWithSft) {
            return ppo(name, cfg, compareWithSft ? name : null);
        }

        /**
         * A PPO run whose trained policy is measured under the summary prefix {@code measuredAs} ({@link #measure}),
         * e.g. a study's run reported as {@code ppo_*} whatever its folder is called; null = not measured.
         */
        public Table ppo(String name, PpoConfig cfg, String measuredAs) {
            return runs.ppo(name, cfg, measuredAs, reward);
        }

        /** A PPO run against another reward made from the same reward model (e.g. to compare rewards side by side). */
        public Table ppo(String name, PpoConfig cfg, boolean compareWithSft, UnaryOperator<RewardFunction> rewardOf) {
            return runs.ppo(name, cfg, compareWithSft ? name : null, rewardOf(rewardOf));
        }

        /**
         * DPO from SFT (reference = the frozen SFT model) on the training comparisons, validated on up to
         * {@link Recipe#DPO_VAL_PAIRS} held-out ones. Writes {@code NAME/metrics.csv} and {@code plots/NAME.svg};
         * measures the trained policy with {@link #measure}.
         */
        public Table dpo(String name, DpoTrainer.Config cfg) {
            return runs.dpo(name, cfg);
        }

        /**
         * RLOO from SFT against the experiment's reward. Writes {@code NAME/metrics.csv}, {@code NAME/samples.csv} and
         * {@code plots/NAME.svg}; measures the trained policy with {@link #measure}.
         */
        public Table rloo(String name, RlooConfig cfg) {
            return runs.rloo(name, cfg);
        }

        /**
         * Samples {@code policy} on the held-out evaluation prompts, {@code evaluation.samples} per prompt as for SFT,
         * and records {@code NAME_kl} (mean summed-k1 KL from SFT of those samples), {@code NAME_proxy} (mean reward),
         * and with gold {@code NAME_gold}, {@code NAME_gold_winrate_vs_sft} and its standard error
         * {@code NAME_gold_winrate_se} (see {@link WinRate}).
         */
        public void measure(String name, CausalLm policy) {
            runs.measure(name, policy);
        }

        /**
         * Goal steering of the frozen SFT model towards {@code target} (soft prompt): trained on up to
         * {@link Recipe#STEER_TRAIN_PROMPTS} training prompts, measured on the held-out evaluation prompts. Records
         * {@code NAME_kl}, {@code NAME_gold}, {@code NAME_p_target_before} and {@code NAME_p_target_after}; writes and
         * returns {@code NAME/steer.csv}.
         */
        public Table steer(String name, String target, SteerConfig cfg) {
            return runs.steer(name, target, cfg);
        }

        /**
         * Best-of-n from SFT: for each n of the evaluation, n samples, keep the reward's favourite. Writes
         * {@code best_of_n.csv}.
         */
        public Table bestOfN() {
            bestOfN = BestOfNStage.run(e, state, data, sft.turns(), sft.model(), reward);
            return bestOfN;
        }

        /** Adds a plot to the result and writes it to {@code plots/NAME.svg}. */
        public void plot(String name, Plot plot) {
            state.plot(name, plot);
        }

        /** The summary as a (metric, value) table. */
        public Table summaryTable() {
            StringColumn metric = StringColumn.create("metric");
            DoubleColumn value = DoubleColumn.create("value");
            state.summary.forEach((k, v) -> {
                metric.append(k);
                value.append(v);
            });
            return Tables.readable(Table.create(label + " summary", metric, value));
        }

        /** Everything so far; also writes {@code summary.csv}. */
        public ExperimentResult result() {
            Table t = summaryTable();
            t.write().csv(out.resolve("summary.csv").toFile());
            data.stats().write().csv(out.resolve("data.csv").toFile());
            return new ExperimentResult(t, data.stats(), state.metrics, state.samples, bestOfN, state.plots,
                    state.checkpoints, out);
        }

        @Override
        public void close() {
            if (rm != null) rm.rm().close();
            if (sft != null) {
                sft.model().close();
                if (sft.turns().tokenizer() instanceof FolderTokenizer f) f.close();
            }
        }
    }

    /** Mean of the last fifth of a column (at least one row): the end of a noisy curve. */
    static double lastMean(Table t, String col) {
        DoubleColumn c = t.doubleColumn(col).removeMissing();
        int k = Math.max(1, c.size() / 5);
        double sum = 0;
        for (int i = c.size() - k; i < c.size(); i++) sum += c.get(i);
        return sum / k;
    }
}
