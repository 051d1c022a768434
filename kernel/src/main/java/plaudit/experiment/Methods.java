package plaudit.experiment;

import ai.djl.Device;
import plaudit.report.Plot;
import plaudit.report.Tables;
import plaudit.train.DpoTrainer;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.rloo.RlooConfig;
import plaudit.train.steer.SoftPrefix;
import plaudit.train.steer.SteerConfig;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * "Is PPO worth it against the simpler methods?" On the synthetic forum, one SFT model and one reward model, then
 * best-of-n (several n), PPO, DPO, RLOO and goal steering of the frozen SFT model, each placed on the same axes: gold
 * reward against KL from SFT, with the proxy reward, the win rate against SFT's samples by gold, and wall-clock
 * seconds. Writes {@code methods.csv} (one row per method), {@code plots/methods.svg} (gold vs KL) and everything
 * {@link ExperimentRunner} writes.
 *
 * <p>How each row is measured. SFT: its own samples on the held-out evaluation prompts (KL 0; proxy 0 because the
 * reward model is re-centred on exactly those samples). Best-of-n: Stiennon et al.'s analytic KL
 * {@code log n − (n−1)/n} on the best-of-n prompts (no per-prompt win rate). PPO, DPO and RLOO: samples of the trained
 * policy on the same evaluation prompts ({@link ExperimentRunner.Session#measure}): KL of those samples from SFT, gold,
 * win rate and proxy. Steering: a soft prompt trained towards {@link #STEER_TARGET}; KL and gold of its samples on the
 * evaluation prompts ({@link ExperimentRunner.Session#steer}; no proxy or win rate). Seconds are each method's own
 * wall-clock; SFT's is the shared pipeline up to the reward model.
 */
public final class Methods {

    /** Goal steering's target: a marker of helpful replies in the forum's gold preference. */
    static final String STEER_TARGET = " in my experience";

    /** One method's point on the comparison; the table is a list of these, so other methods can be added. */
    public record Row(String method, double kl, double gold, double proxy, double winRateVsSft, double seconds) {
    }

    /** The preset sizes: {@link Study.Settings} for the shared pipeline and PPO, plus DPO's and RLOO's. */
    public record Settings(Study.Settings study, int dpoSteps, int dpoBatch, double dpoLr, int rlooPrompts, int rlooK) {
        public static Settings of(Study.Scale scale) {
            Study.Settings s = Study.Settings.of(scale);
            return switch (scale) {
                case TINY -> new Settings(s, 40, 16, 1e-4, 4, 4);
                case SMALL -> new Settings(s, 100, 16, 5e-5, 8, 4);
                case FULL -> new Settings(s, 200, 16, 5e-5, 8, 4);
            };
        }
    }

    private final Path out;
    private final Settings s;
    private final Device device;
    private final long seed;

    public Methods(Path out, Settings settings, Device device, long seed) {
        this.out = out;
        this.s = settings;
        this.device = device;
        this.seed = seed;
    }

    /** DPO at the preset's size: β = 0.1 (Rafailov et al.; TRL), responses cut like the reward model's. */
    public static DpoTrainer.Config dpoConfig(Settings s, long seed) {
        return new DpoTrainer.Config(s.dpoSteps(), s.dpoBatch(), s.dpoLr(), 0.1, 1.0, s.study().ppo().responseLength(),
                Math.max(1, s.dpoSteps() / 4), seed);
    }

    /**
     * RLOO with PPO's budget: as many episodes per step (prompts × k = PPO's batch), the same steps, learning rate,
     * minibatch and epochs, and β equal to PPO's initial KL coefficient.
     */
    public static RlooConfig rlooConfig(Settings s, long seed) {
        PpoConfig ppo = s.study().ppo();
        int prompts = Math.max(1, ppo.batchSize() / s.rlooK());
        int mini = Math.min(ppo.miniBatchSize(), prompts * s.rlooK());
        return RlooConfig.SETTINGS.builder().set(RlooConfig.STEPS, ppo.steps()).set(RlooConfig.PROMPTS, prompts)
                .set(RlooConfig.K, s.rlooK()).set(RlooConfig.EPOCHS, 4).set(RlooConfig.MINI_BATCH_SIZE, mini)
                .set(RlooConfig.LR, ppo.lr()).set(RlooConfig.RESPONSE_LENGTH, ppo.responseLength())
                .set(RlooConfig.TEMPERATURE, 1.0).set(RlooConfig.KL_COEF, ppo.klCoef()).set(RlooConfig.CLIP_RANGE, 0.2)
                .set(RlooConfig.NORMALIZE_ADVANTAGES, false).set(RlooConfig.REWARD_CLIP, 0.0)
                .set(RlooConfig.MISSING_EOS_PENALTY, 0.0).set(RlooConfig.GRAD_CLIP, 1.0)
                .set(RlooConfig.SAMPLE_EVERY, Math.max(1, ppo.steps() / 5)).set(RlooConfig.SEED, seed).build();
    }

    /** Runs every method; returns the methods table (also written to {@code methods.csv}). */
    public Table run() {
        Experiment e = Study.experiment(s.study(), null, Study.deviceSpec(device), seed);
        List<Row> rows = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ExperimentRunner.Session session = new ExperimentRunner(out, "methods").train(e, null)) {
            Map<String, Double> sum = session.summary();
            double sftGold = sum.get("sft_gold");
            rows.add(new Row("sft", 0, sftGold, 0, 0.5, seconds(t0)));

            double[] bonSeconds = new double[1];
            Table bon = timed(session::bestOfN, bonSeconds);
            for (int i = 0; i < bon.rowCount(); i++) {
                rows.add(new Row("best-of-" + bon.intColumn("n").get(i), bon.doubleColumn("kl").get(i),
                        bon.doubleColumn("gold").get(i), bon.doubleColumn("proxy").get(i), Double.NaN, bonSeconds[0]));
            }

            double[] secs = new double[1];
            timed(() -> session.ppo("ppo", e.ppo(), true), secs);
            rows.add(measured("ppo", sum, secs[0]));

            timed(() -> session.dpo("dpo", dpoConfig(s, seed)), secs);
            rows.add(measured("dpo", sum, secs[0]));

            timed(() -> session.rloo("rloo", rlooConfig(s, seed)), secs);
            rows.add(measured("rloo", sum, secs[0]));

            // frozen weights: a soft prompt, between post and reply, towards a phrase gold counts as helpful
            timed(() -> session.steer("steer", STEER_TARGET, SteerConfig.SETTINGS.builder().set(SteerConfig.SEED, seed)
                    .set(SteerConfig.POSITION, SoftPrefix.Position.AFTER).build()), secs);
            rows.add(new Row("steer (soft prompt)", sum.get("steer_kl"), sum.getOrDefault("steer_gold", Double.NaN),
                    Double.NaN, Double.NaN, secs[0]));

            Table t = table(rows);
            t.write().csv(out.resolve("methods.csv").toFile());
            session.plot("methods", plot(rows));
            session.result();
            return t;
        }
    }

    private static Row measured(String name, Map<String, Double> sum, double seconds) {
        return new Row(name, sum.get(name + "_kl"), sum.get(name + "_gold"), sum.get(name + "_proxy"),
                sum.get(name + "_gold_winrate_vs_sft"), seconds);
    }

    /** The methods table: method, kl, gold, proxy, win_rate_vs_sft, seconds. */
    public static Table table(List<Row> rows) {
        StringColumn method = StringColumn.create("method");
        DoubleColumn kl = DoubleColumn.create("kl"), gold = DoubleColumn.create("gold"),
                proxy = DoubleColumn.create("proxy"), win = DoubleColumn.create("win_rate_vs_sft"),
                seconds = DoubleColumn.create("seconds");
        for (Row r : rows) {
            method.append(r.method());
            kl.append(r.kl());
            gold.append(r.gold());
            proxy.append(r.proxy());
            win.append(r.winRateVsSft());
            seconds.append(r.seconds());
        }
        return Tables.readable(Table.create("methods: gold reward vs KL from SFT", method, kl, gold, proxy, win, seconds));
    }

    /** The rows of a methods table (as written to {@code methods.csv}). */
    public static List<Row> rows(Table t) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < t.rowCount(); i++) {
            // getDouble: a missing value (NaN, e.g. best-of-n's win rate) comes back as NaN, not null
            rows.add(new Row(t.stringColumn("method").get(i), t.doubleColumn("kl").getDouble(i),
                    t.doubleColumn("gold").getDouble(i), t.doubleColumn("proxy").getDouble(i),
                    t.doubleColumn("win_rate_vs_sft").getDouble(i), t.doubleColumn("seconds").getDouble(i)));
        }
        return rows;
    }

    /**
     * Gold vs KL: best-of-n as one curve (rows named best-of-N), every other method as its own point, SFT's gold
     * (the row named sft) as the reference line.
     */
    public static Plot plot(List<Row> rows) {
        Plot.Builder b = Plot.builder().title("Gold reward vs KL from SFT, by method")
                .xLabel("KL from SFT (nats)").yLabel("gold reward");
        List<Row> bon = rows.stream().filter(r -> r.method().startsWith("best-of-")).toList();
        if (!bon.isEmpty()) {
            b.linePoints("best-of-n", bon.stream().mapToDouble(Row::kl).toArray(),
                    bon.stream().mapToDouble(Row::gold).toArray());
        }
        for (Row r : rows) {
            if (!r.method().startsWith("best-of-")) b.points(r.method(), new double[] {r.kl()}, new double[] {r.gold()});
        }
        rows.stream().filter(r -> r.method().equals("sft")).findFirst().ifPresent(r -> b.reference("SFT", r.gold()));
        return b.build();
    }

    private static <T> T timed(Supplier<T> run, double[] seconds) {
        long t = System.nanoTime();
        T result = run.get();
        seconds[0] = seconds(t);
        return result;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
