package plaudit.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import plaudit.model.Generation;
import plaudit.model.Generator;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.SamplingConfig;
import plaudit.train.AdamW;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Speed of the model on this machine: the matmul ceiling (GFLOP/s), training tokens/s (forward + backward + AdamW)
 * and generation tokens/s with and without the KV cache. Each figure is the median of several timed rounds after a
 * warm-up round. {@code full} is the ~10M-parameter config of the issue; {@code tiny} a smoke-sized one for CI.
 */
public final class ModelBench {

    public enum Scale { TINY, FULL }

    private ModelBench() {
    }

    public static GptConfig config(Scale scale) {
        return scale == Scale.FULL
                ? new GptConfig(6, 6, 384, 256, 4096, 0.0)
                : new GptConfig(2, 4, 128, 128, 1024, 0.0);
    }

    public static Table run(Scale scale, Device device) {
        int rounds = scale == Scale.FULL ? 5 : 3;
        GptConfig cfg = config(scale);
        StringColumn workload = StringColumn.create("workload");
        DoubleColumn value = DoubleColumn.create("value");
        StringColumn unit = StringColumn.create("unit");
        DoubleColumn peak = DoubleColumn.create("fraction_of_matmul_peak");

        double gflops = matmulGflops(device, scale == Scale.FULL ? 1024 : 512, rounds);
        add(workload, value, unit, peak, "matmul " + (scale == Scale.FULL ? 1024 : 512) + "² fp32", gflops, "GFLOP/s", 1.0);

        try (Gpt model = Gpt.init(cfg, device, 1234)) {
            int batch = scale == Scale.FULL ? 8 : 4;
            int seq = cfg.blockSize();
            double trainTps = trainTokensPerSecond(model, batch, seq, rounds);
            // forward + backward ≈ 6 FLOPs per parameter per token (Kaplan et al. 2020), plus attention
            double trainFlops = 6.0 * cfg.parameterCount() + 12.0 * cfg.nLayer() * cfg.nEmbd() * seq;
            add(workload, value, unit, peak, "train step (B=" + batch + ", T=" + seq + ")", trainTps, "tokens/s",
                    trainTps * trainFlops / 1e9 / gflops);
            int newTokens = scale == Scale.FULL ? 64 : 32;
            for (int b : new int[] {1, 16}) {
                for (boolean cache : new boolean[] {true, false}) {
                    double tps = generationTokensPerSecond(model, b, 16, newTokens, cache, rounds);
                    add(workload, value, unit, peak, "generate B=" + b + (cache ? " kv-cache" : " no-cache"), tps,
                            "tokens/s", tps * 2.0 * cfg.parameterCount() / 1e9 / gflops);
                }
            }
        }
        Table t = Table.create("model benchmark — " + cfg + ", device " + device);
        return t.addColumns(workload, value, unit, peak);
    }

    private static void add(StringColumn w, DoubleColumn v, StringColumn u, DoubleColumn p, String name, double val,
                            String unit, double frac) {
        w.append(name);
        v.append(Math.round(val * 10) / 10.0);
        u.append(unit);
        p.append(Math.round(frac * 1000) / 1000.0);
    }

    /** The machine's fp32 matmul throughput: the ceiling every other workload is measured against. */
    public static double matmulGflops(Device device, int n, int rounds) {
        try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
            NDArray a = m.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
            NDArray b = m.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
            // ~10 GFLOP per round, each product freed before the next: the allocator then reuses one block, so a
            // round times the matmuls, not the page faults of a fresh output
            int reps = Math.max(10, (int) (1e10 / (2.0 * n * n * n)));
            double[] t = new double[rounds];
            for (int r = -1; r < rounds; r++) {
                long t0 = System.nanoTime();
                NDArray c = null;
                for (int i = 0; i < reps; i++) {
                    if (c != null) c.close();
                    c = a.matMul(b);
                }
                c.get(0, 0).getFloat(); // wait for the result (asynchronous on a GPU)
                c.close();
                if (r >= 0) t[r] = (System.nanoTime() - t0) / 1e9;
            }
            // the best round: the machine's ceiling, which a median understates on a noisy machine (the workloads'
            // fractions of it then came out above 1)
            return 2.0 * n * n * n * reps / Arrays.stream(t).min().orElseThrow() / 1e9;
        }
    }

    public static double trainTokensPerSecond(Gpt model, int batch, int seq, int rounds) {
        model.setTrainable(true);
        AdamW opt = AdamW.of(model.parameters(), 0.1);
        SplittableRandom rng = new SplittableRandom(7);
        int vocab = model.config().vocabSize();
        double[] t = new double[rounds];
        for (int r = -1; r < rounds; r++) {
            long[] x = rng.longs((long) batch * seq, 0, vocab).toArray();
            long[] y = rng.longs((long) batch * seq, 0, vocab).toArray();
            long t0 = System.nanoTime();
            try (NDManager s = model.manager().newSubManager(model.device())) {
                NDArray ids = s.create(x, new Shape(batch, seq));
                NDArray targets = s.create(y, new Shape(batch, seq));
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray loss = model.loss(ids, targets, null, true);
                    gc.backward(loss);
                }
                opt.clipGradNorm(s, 1.0);
                opt.update(s, 1e-4);
            }
            if (r >= 0) t[r] = (System.nanoTime() - t0) / 1e9;
        }
        return batch * seq / median(t);
    }

    public static double generationTokensPerSecond(Gpt model, int batch, int promptLen, int newTokens, boolean cache,
                                                   int rounds) {
        model.setTrainable(false);
        SplittableRandom rng = new SplittableRandom(11);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < batch; i++) prompts.add(rng.ints(promptLen, 0, model.config().vocabSize()).toArray());
        // eosId -1: every row generates exactly newTokens tokens, so the count is exact
        SamplingConfig sc = new SamplingConfig(newTokens, 1.0, 0, 1.0, -1, 3);
        double[] t = new double[rounds];
        for (int r = -1; r < rounds; r++) {
            long t0 = System.nanoTime();
            Generation g = cache ? Generator.generate(model, prompts, sc, true) : Generator.generate(model, prompts, sc, false);
            if (r >= 0) t[r] = (System.nanoTime() - t0) / 1e9;
            if (g.tokens()[0].length != newTokens) throw new IllegalStateException("generated " + g.tokens()[0].length);
        }
        return (double) batch * newTokens / median(t);
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
