package plaudit.bench;

import plaudit.bench.PytorchBench.Sizes;
import plaudit.model.GptConfig;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static plaudit.bench.ModelBench.median;

/**
 * The table of a {@link PytorchBench} comparison, columns {@code workload, plaudit, pytorch, unit, ratio}: each
 * workload's medians and ratio, what fraction of the machine's matmul peak each side reaches, the kv-cache speed-ups,
 * and peak memory against what a PPO step must hold.
 */
final class PytorchComparison {
    /** One measured workload: per-round values of each side; {@code higherIsBetter} picks the ratio's direction. */
    record Workload(String name, String unit, boolean higherIsBetter, double[] plaudit, double[] pytorch) {
        double ratio() {
            double p = median(plaudit), t = median(pytorch);
            return higherIsBetter ? p / t : t / p;
        }
    }

    private final Sizes z;
    /** Resident memory of each process once started with one model loaded: the runtime, not the workloads. */
    private final double[] baselineMb;
    private final double pythonPeakRssMb;

    private PytorchComparison(Sizes z, double[] baselineMb, double pythonPeakRssMb) {
        this.z = z;
        this.baselineMb = baselineMb;
        this.pythonPeakRssMb = pythonPeakRssMb;
    }

    /** The table of workloads {@code ws}, the first of which is the matmul that sets the peak. */
    static Table of(Sizes z, List<Workload> ws, double[] baselineMb, double pythonPeakRssMb) {
        return new PytorchComparison(z, baselineMb, pythonPeakRssMb).table(ws);
    }

    private Table table(List<Workload> ws) {
        GptConfig c = z.cfg();
        long n = c.parameterCount();
        int scoreSeq = z.ppoPrompt() + z.ppoResponse();

        // The machine's ceiling: the best matmul round of either side (a median taken while other jobs share the
        // cores would understate it and give fractions above 1); each workload's model FLOPs against it.
        double peak = Math.max(Arrays.stream(ws.get(0).plaudit).max().orElseThrow(),
                Arrays.stream(ws.get(0).pytorch).max().orElseThrow());
        // forward ≈ 2 FLOPs per parameter per token, forward + backward ≈ 6 (Kaplan et al. 2020)
        double trainFlopsPerToken = 6.0 * n + 12.0 * c.nLayer() * c.nEmbd() * z.trainSeq();
        double ppoTokens = (double) z.ppoBatch() * scoreSeq;
        // rollout and the three scoring forwards, then every epoch a forward + backward of policy and value
        double ppoFlops = ppoTokens * 2.0 * n * (1 + 3) + ppoTokens * z.ppoEpochs() * 2 * 6.0 * n;
        Map<String, Double> flopsPer = new LinkedHashMap<>();
        flopsPer.put("train", trainFlopsPerToken);
        flopsPer.put("generate", 2.0 * n);
        flopsPer.put("score", 2.0 * n);

        StringColumn workload = StringColumn.create("workload");
        DoubleColumn plaudit = DoubleColumn.create("plaudit");
        DoubleColumn pytorch = DoubleColumn.create("pytorch");
        StringColumn unit = StringColumn.create("unit");
        DoubleColumn ratio = DoubleColumn.create("ratio");
        for (Workload w : ws) {
            add(workload, plaudit, pytorch, unit, ratio, w.name, median(w.plaudit), median(w.pytorch), w.unit, w.ratio());
            String kind = w.name.split(" ")[0];
            double pf, tf;
            if (flopsPer.containsKey(kind)) {
                pf = median(w.plaudit) * flopsPer.get(kind) / 1e9 / peak;
                tf = median(w.pytorch) * flopsPer.get(kind) / 1e9 / peak;
            } else if (kind.equals("ppo")) {
                pf = ppoFlops / median(w.plaudit) / 1e9 / peak;
                tf = ppoFlops / median(w.pytorch) / 1e9 / peak;
            } else {
                continue;
            }
            add(workload, plaudit, pytorch, unit, ratio, w.name + " · fraction of matmul peak", pf, tf, "fraction",
                    pf / tf);
        }
        for (int batch : new int[] {1, 16}) {
            Workload cached = find(ws, "generate B=" + batch + " kv-cache");
            Workload full = find(ws, "generate B=" + batch + " no-cache");
            double pc = median(cached.plaudit) / median(full.plaudit), tc = median(cached.pytorch) / median(full.pytorch);
            add(workload, plaudit, pytorch, unit, ratio, "generate B=" + batch + " kv-cache speed-up over no-cache",
                    pc, tc, "x", pc / tc);
        }
        addMemory(workload, plaudit, pytorch, unit, ratio);
        return Table.create("Plaudit vs PyTorch eager — " + c + ", " + z.rounds() + " rounds, medians; ratio > 1: "
                + "Plaudit faster; matmul peak " + Math.round(peak) + " GFLOP/s", workload, plaudit, pytorch, unit, ratio);
    }

    /**
     * Peak RSS of each process (high-water mark over the whole comparison, PPO with four models included), and what
     * it grew by over the process's baseline (runtime + libraries + one model) against what a PPO step must hold: four models, gradients and AdamW moments of policy and value, and the activations
     * of one minibatch of policy + value forwards kept for backward.
     */
    private void addMemory(StringColumn w, DoubleColumn p, DoubleColumn t, StringColumn u, DoubleColumn r) {
        GptConfig c = z.cfg();
        double params = c.parameterCount();
        double stateBytes = 4.0 * (4 * params + 2 * params /* grads */ + 2 * 2 * params /* m, v */);
        long mb = z.ppoBatch() / 4, seq = z.ppoPrompt() + z.ppoResponse();
        // per layer ~17 B·T·C floats (Korthikanti et al. 2022, fp32) + attention B·nh·T² twice; logits over the response
        double act = 2 * 4.0 * (c.nLayer() * (17.0 * mb * seq * c.nEmbd() + 2.0 * mb * c.nHead() * seq * seq)
                + 3.0 * mb * z.ppoResponse() * c.vocabSize());
        double need = (stateBytes + act) / (1 << 20);
        double jvm = PpoBench.peakRssBytes() / (double) (1 << 20);
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.printf("JVM heap now: %.0f MB committed, %.0f MB used (part of Plaudit's RSS; -Xmx bounds it)%n",
                heap.getCommitted() / (double) (1 << 20), heap.getUsed() / (double) (1 << 20));
        double python = pythonPeakRssMb;
        add(w, p, t, u, r, "ppo peak RSS (4 models)", jvm, python, "MB", python / jvm);
        add(w, p, t, u, r, "ppo peak RSS over runtime baseline (" + Math.round(baselineMb[0]) + " / "
                        + Math.round(baselineMb[1]) + " MB)", jvm - baselineMb[0], python - baselineMb[1], "MB",
                (python - baselineMb[1]) / (jvm - baselineMb[0]));
        // the target: what the workloads add is within 1.3x of what they must hold
        double jvmX = (jvm - baselineMb[0]) / need, pyX = (python - baselineMb[1]) / need;
        add(w, p, t, u, r, "ppo-memory: RSS over baseline / (params+grads+AdamW+activations = " + Math.round(need)
                + " MB)", jvmX, pyX, "x", pyX / jvmX);
    }

    private static Workload find(List<Workload> ws, String name) {
        return ws.stream().filter(w -> w.name.equals(name)).findFirst().orElseThrow();
    }

    private static void add(StringColumn w, DoubleColumn p, DoubleColumn t, StringColumn u, DoubleColumn r,
                            String name, double plaudit, double pytorch, String unit, double ratio) {
        w.append(name);
        p.append(round(plaudit));
        t.append(round(pytorch));
        u.append(unit);
        r.append(Math.round(ratio * 1000) / 1000.0);
    }

    private static double round(double x) {
        return Math.abs(x) >= 100 ? Math.round(x * 10) / 10.0 : Math.round(x * 10000) / 10000.0;
    }
}
