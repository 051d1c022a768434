package plaudit.bench;

import plaudit.bench.PytorchBench.Sizes;
import plaudit.model.GptConfig;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static plaudit.bench.ModelBench.median;

/**
 * The table of a {@link PytorchBench} comparison: each workload's medians with the spread of its rounds (min–max) on
 * both sides, the ratio, the rounds, how many cores' worth of CPU other processes took meanwhile, a {@code noisy} mark
 * where the two sides' spreads overlap by more than half the narrower one (the rounds alone cannot tell which side
 * is faster), and at full scale the
 * issue's target with whether it is met. Derived rows follow: what fraction of the machine's matmul peak each side
 * reaches, the kv-cache speed-ups, and peak memory against what a PPO step must hold.
 */
final class PytorchComparison {
    /** Share of the narrower spread the two sides' spreads may overlap before a ratio is marked noisy. */
    static final double NOISY_OVERLAP = 0.5;

    /** Column names of the table, in order (bench.csv's header). */
    static final List<String> COLUMNS = List.of("workload", "plaudit", "plaudit_min", "plaudit_max", "pytorch",
            "pytorch_min", "pytorch_max", "unit", "ratio", "rounds", "others_cores", "noisy", "target", "met");

    /**
     * One measured workload: per-round values of each side; {@code higherIsBetter} picks the ratio's direction;
     * {@code othersCores} is the CPU other processes used meanwhile, in cores (NaN where unknown).
     */
    record Workload(String name, String unit, boolean higherIsBetter, double[] plaudit, double[] pytorch,
                    double othersCores) {
        double ratio() {
            double p = median(plaudit), t = median(pytorch);
            return higherIsBetter ? p / t : t / p;
        }

        /**
         * The two sides' min–max ranges overlap by more than half of the narrower one: the rounds alone do not say
         * which side is faster (a one-value range counts as wholly overlapped when it lies inside the other).
         */
        boolean noisy() {
            double overlap = Math.min(max(plaudit), max(pytorch)) - Math.max(min(plaudit), min(pytorch));
            double narrower = Math.min(max(plaudit) - min(plaudit), max(pytorch) - min(pytorch));
            return narrower > 0 ? overlap > NOISY_OVERLAP * narrower : overlap >= 0;
        }
    }

    /** What the performance issue asks of a full-scale comparison; a ratio (or a Plaudit figure) at least or at most this. */
    record Target(double bound, boolean atLeast, boolean ofRatio) {
        String text() {
            return (atLeast ? "≥ " : "≤ ") + bound + (ofRatio ? "" : " (plaudit)");
        }

        boolean met(double plaudit, double ratio) {
            double x = ofRatio ? ratio : plaudit;
            return atLeast ? x >= bound : x <= bound;
        }
    }

    private final Sizes z;
    /** Resident memory of each process once started with one model loaded: the runtime, not the workloads. */
    private final double[] baselineMb;
    private final double pythonPeakRssMb;
    private final Map<String, Column<?>> cols = new LinkedHashMap<>();

    private PytorchComparison(Sizes z, double[] baselineMb, double pythonPeakRssMb) {
        this.z = z;
        this.baselineMb = baselineMb;
        this.pythonPeakRssMb = pythonPeakRssMb;
        for (String c : COLUMNS) {
            boolean text = c.equals("workload") || c.equals("unit") || c.equals("noisy") || c.equals("target")
                    || c.equals("met");
            cols.put(c, text ? StringColumn.create(c) : DoubleColumn.create(c));
        }
    }

    /** The table of workloads {@code ws}; the best round of those named "matmul …" is the machine's peak. */
    static Table of(Sizes z, List<Workload> ws, double[] baselineMb, double pythonPeakRssMb, String load) {
        return new PytorchComparison(z, baselineMb, pythonPeakRssMb).table(ws, load);
    }

    /** The targets (full scale only: the tiny comparison is a smoke test of per-op overhead). */
    private Target target(String workload) {
        if (!z.full() || workload.contains("speed-up")) return null;
        if (workload.contains(" · ")) { // a derived row: only the PPO step's share of the peak has a target
            return workload.startsWith("ppo step") ? new Target(0.4, true, false) : null;
        }
        if (workload.startsWith("train step") || workload.startsWith("score") || workload.startsWith("ppo step")
                || workload.startsWith("generate B=16 kv")) {
            return new Target(1.2, true, true);
        }
        if (workload.startsWith("generate B=1 kv")) return new Target(1.0, true, true);
        if (workload.startsWith("ppo peak RSS over")) return new Target(1.0, true, true);
        if (workload.startsWith("ppo-memory")) return new Target(1.3, false, false);
        return null;
    }

    private Table table(List<Workload> ws, String load) {
        GptConfig c = z.cfg();
        long n = c.parameterCount();
        int scoreSeq = z.ppoPrompt() + z.ppoResponse();

        // The machine's ceiling: the best matmul round of either side, over the matmul shapes (a median taken while other jobs share the
        // cores would understate it and give fractions above 1); each workload's model FLOPs against it.
        double peak = ws.stream().filter(w -> w.name.startsWith("matmul"))
                .mapToDouble(w -> Math.max(max(w.plaudit), max(w.pytorch))).max().orElseThrow();
        // forward ≈ 2 FLOPs per parameter per token, forward + backward ≈ 6 (Kaplan et al. 2020)
        double trainFlopsPerToken = 6.0 * n + 12.0 * c.nLayer() * c.nEmbd() * z.trainSeq();
        double ppoTokens = (double) z.ppoBatch() * scoreSeq;
        // rollout and the three scoring forwards, then every epoch a forward + backward of policy and value
        double ppoFlops = ppoTokens * 2.0 * n * (1 + 3) + ppoTokens * z.ppoEpochs() * 2 * 6.0 * n;
        Map<String, Double> flopsPer = new LinkedHashMap<>();
        flopsPer.put("train", trainFlopsPerToken);
        flopsPer.put("generate", 2.0 * n);
        flopsPer.put("score", 2.0 * n);

        for (Workload w : ws) {
            add(w.name, w.unit, median(w.plaudit), min(w.plaudit), max(w.plaudit), median(w.pytorch), min(w.pytorch),
                    max(w.pytorch), w.ratio(), w.plaudit.length, w.othersCores, w.noisy());
            String kind = w.name.split(" ")[0];
            double scale;
            boolean perSecond = true;
            if (flopsPer.containsKey(kind)) {
                scale = flopsPer.get(kind) / 1e9 / peak;
            } else if (kind.equals("ppo")) {
                scale = ppoFlops / 1e9 / peak;
                perSecond = false; // seconds: the fraction is FLOPs / seconds
            } else {
                continue;
            }
            double[] p = fractions(w.plaudit, scale, perSecond), t = fractions(w.pytorch, scale, perSecond);
            add(w.name + " · fraction of matmul peak", "fraction", median(p), min(p), max(p), median(t), min(t),
                    max(t), median(p) / median(t), w.plaudit.length, w.othersCores, w.noisy());
        }
        for (int batch : new int[] {1, 16}) {
            Workload cached = find(ws, "generate B=" + batch + " kv-cache");
            Workload full = find(ws, "generate B=" + batch + " no-cache");
            double pc = median(cached.plaudit) / median(full.plaudit), tc = median(cached.pytorch) / median(full.pytorch);
            add("generate B=" + batch + " kv-cache speed-up over no-cache", "x", pc, pc / tc, tc);
        }
        addMemory();
        Table t = Table.create("Plaudit vs PyTorch eager — " + c + ", medians of " + z.rounds() + "+ rounds (min–max "
                + "beside them); ratio > 1: Plaudit faster; noisy: the two sides' rounds overlap; matmul peak "
                + Math.round(peak) + " GFLOP/s; " + load);
        cols.values().forEach(t::addColumns);
        return t;
    }

    /** Per-round fractions of the peak: {@code x·scale} for a rate, {@code scale/x} for seconds. */
    private static double[] fractions(double[] x, double scale, boolean perSecond) {
        return Arrays.stream(x).map(v -> perSecond ? v * scale : scale / v).toArray();
    }

    /**
     * Peak RSS of each process (high-water mark over the whole comparison, PPO with four models included), and what
     * it grew by over the process's baseline (runtime + libraries + one model) against what a PPO step must hold:
     * four models, gradients and AdamW moments of policy and value, and the activations of one minibatch of policy +
     * value forwards kept for backward.
     */
    private void addMemory() {
        GptConfig c = z.cfg();
        double need = PpoMemory.mustHoldMb(c, z.ppoBatch() / 4, z.ppoPrompt() + z.ppoResponse(), z.ppoResponse());
        double jvm = PpoBench.peakRssBytes() / (double) (1 << 20);
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.printf("JVM heap now: %.0f MB committed, %.0f MB used (part of Plaudit's RSS; -Xmx bounds it)%n",
                heap.getCommitted() / (double) (1 << 20), heap.getUsed() / (double) (1 << 20));
        double python = pythonPeakRssMb;
        add("ppo peak RSS (4 models)", "MB", jvm, python / jvm, python);
        add("ppo peak RSS over runtime baseline (" + Math.round(baselineMb[0]) + " / " + Math.round(baselineMb[1])
                + " MB)", "MB", jvm - baselineMb[0], (python - baselineMb[1]) / (jvm - baselineMb[0]),
                python - baselineMb[1]);
        // the target: what the workloads add is within 1.3x of what they must hold
        double jvmX = (jvm - baselineMb[0]) / need, pyX = (python - baselineMb[1]) / need;
        add("ppo-memory: RSS over baseline / (params+grads+AdamW+activations = " + Math.round(need) + " MB)", "x",
                jvmX, pyX / jvmX, pyX);
    }

    private static Workload find(List<Workload> ws, String name) {
        return ws.stream().filter(w -> w.name.equals(name)).findFirst().orElseThrow();
    }

    /** A derived row of one figure per side: no spread, no rounds. */
    private void add(String name, String unit, double plaudit, double ratio, double pytorch) {
        add(name, unit, plaudit, Double.NaN, Double.NaN, pytorch, Double.NaN, Double.NaN, ratio, Double.NaN,
                Double.NaN, false);
    }

    private void add(String name, String unit, double plaudit, double plaudit0, double plaudit1, double pytorch,
                     double pytorch0, double pytorch1, double ratio, double rounds, double others, boolean noisy) {
        text("workload", name);
        number("plaudit", round(plaudit));
        number("plaudit_min", round(plaudit0));
        number("plaudit_max", round(plaudit1));
        number("pytorch", round(pytorch));
        number("pytorch_min", round(pytorch0));
        number("pytorch_max", round(pytorch1));
        text("unit", unit);
        number("ratio", Math.round(ratio * 1000) / 1000.0);
        number("rounds", rounds);
        number("others_cores", Double.isNaN(others) ? others : Math.round(others * 100) / 100.0);
        text("noisy", noisy ? "noisy" : "");
        Target target = target(name);
        text("target", target == null ? "" : target.text());
        text("met", target == null ? "" : target.met(plaudit, ratio) ? "met" : "not met");
    }

    private void text(String column, String value) {
        ((StringColumn) cols.get(column)).append(value);
    }

    private void number(String column, double value) {
        ((DoubleColumn) cols.get(column)).append(value);
    }

    private static double min(double[] x) {
        return Arrays.stream(x).min().orElse(Double.NaN);
    }

    private static double max(double[] x) {
        return Arrays.stream(x).max().orElse(Double.NaN);
    }

    private static double round(double x) {
        if (Double.isNaN(x)) return x;
        return Math.abs(x) >= 100 ? Math.round(x * 10) / 10.0 : Math.round(x * 10000) / 10000.0;
    }
}
