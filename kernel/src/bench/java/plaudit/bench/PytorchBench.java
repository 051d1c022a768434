package plaudit.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.bench.PytorchComparison.Workload;
import plaudit.model.Generator;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.Safetensors;
import plaudit.model.SamplingConfig;
import plaudit.report.Progress;
import plaudit.train.AdamW;
import plaudit.train.TrainStep;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;


/**
 * Plaudit side by side with PyTorch eager in Python ({@code bench/pytorch_gpt.py}) on the same GPT-2: same config,
 * same initial weights (written here as safetensors, read there), same batches, fp32, same AdamW hyper-parameters,
 * equal thread counts. Each workload is timed in turns, Plaudit then PyTorch (the order flips every round so neither
 * side always runs on a cooler machine), for several rounds after a warm-up round; the table ({@link PytorchComparison})
 * shows medians.
 * Only the ratios of one run mean anything on a shared, noisy machine.
 */
public final class PytorchBench {

    /**
     * Sizes of one comparison; {@code tiny} runs in a few minutes on 2 cores. A workload runs at least
     * {@code rounds} timed rounds, more (up to three times as many) until both sides together have been timed for
     * about {@code minSeconds}: short workloads get more rounds, so that one disturbed round moves the median less.
     */
    record Sizes(GptConfig cfg, boolean full, int matmulN, int trainBatch, int trainSeq, int genPrompt, int genNew,
                 int scoreBatch, int ppoBatch, int ppoPrompt, int ppoResponse, int ppoEpochs, int rounds,
                 double minSeconds) {
        static Sizes of(ModelBench.Scale scale, int rounds) {
            return scale == ModelBench.Scale.FULL
                    ? new Sizes(ModelBench.config(scale), true, 1024, 8, 256, 16, 64, 32, 32, 64, 48, 4,
                    rounds > 0 ? rounds : 5, 30)
                    : new Sizes(ModelBench.config(scale), false, 512, 4, 128, 16, 32, 8, 8, 64, 16, 4,
                    rounds > 0 ? rounds : 3, 4);
        }

        /** Timed rounds of a workload whose warm-up round took {@code pairSeconds} for both sides together. */
        int roundsFor(double pairSeconds) {
            int wanted = (int) Math.ceil(minSeconds / Math.max(pairSeconds, 1e-9));
            return Math.max(rounds, Math.min(3 * rounds, wanted));
        }
    }

    private final Sizes z;
    private final Device device;
    private final PythonSide py;
    private final Gpt model;
    /** Resident memory of each process once started with one model loaded: the runtime, not the workloads. */
    private double[] baselineMb;
    private AdamW trainOpt;
    private PpoModels ppo;
    private double pythonPeakRssMb = Double.NaN;

    private PytorchBench(Sizes z, Device device, PythonSide py, Gpt model) {
        this.z = z;
        this.device = device;
        this.py = py;
        this.model = model;
    }

    /**
     * Runs the comparison; {@code rounds <= 0} takes the scale's default. The table has the columns
     * {@code workload, plaudit, pytorch, unit, ratio}, ratio &gt; 1 meaning Plaudit is faster (or leaner).
     */
    public static Table run(ModelBench.Scale scale, Device device, int rounds, int threads, String python, Path workDir)
            throws IOException {
        Sizes z = Sizes.of(scale, rounds);
        Engine.getEngine("PyTorch"); // loads libtorch, which the thread settings go to
        int before = JniUtils.getNumThreads();
        JniUtils.setNumThreads(threads);
        try {
            return run(z, device, threads, python, workDir);
        } finally {
            JniUtils.setNumThreads(before); // the JVM may go on (tests, notebooks)
        }
    }

    private static Table run(Sizes z, Device device, int threads, String python, Path workDir) throws IOException {
        try {
            JniUtils.setNumInteropThreads(1);
        } catch (RuntimeException alreadyStarted) {
            // libtorch refuses once its inter-op pool exists; the count it has is printed below
        }
        try (PythonSide py = PythonSide.start(python, workDir, threads);
             Gpt model = Gpt.init(z.cfg, device, 1234)) {
            Path weights = workDir.resolve("gpt-init.safetensors");
            Safetensors.writer().tensors(model.parameters()).write(weights);
            GptConfig c = z.cfg;
            ObjectNode init = PythonSide.request("init").put("weights", weights.toString()).put("threads", threads)
                    .put("device", device.isGpu() ? "cuda" : "cpu").put("seed", 1);
            init.putObject("config").put("n_layer", c.nLayer()).put("n_head", c.nHead()).put("n_embd", c.nEmbd())
                    .put("block_size", c.blockSize()).put("vocab_size", c.vocabSize());
            JsonNode hello = py.call(init);
            long jvmBaseline = PpoBench.rssBytes("VmRSS:"); // JVM + libtorch + the first model, before the workloads
            System.out.printf("threads: Plaudit (libtorch %s) %d intra-op / %d inter-op; PyTorch %s %d / %d%n",
                    Engine.getEngine("PyTorch").getVersion(), JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(),
                    hello.get("torch").asText(), hello.get("threads").asInt(), hello.get("interop_threads").asInt());
            PytorchBench b = new PytorchBench(z, device, py, model);
            b.baselineMb = new double[] {jvmBaseline / (double) (1 << 20), hello.get("rss_mb").asDouble()};
            try {
                return b.measure();
            } finally {
                if (b.ppo != null) b.ppo.close();
            }
        }
    }

    private Table measure() {
        MachineLoad start = MachineLoad.now(py.pid());
        int trainTokens = z.trainBatch * z.trainSeq;
        int scoreSeq = z.ppoPrompt + z.ppoResponse;
        List<Workload> ws = new ArrayList<>();
        try (Progress p = new Progress("bench vs pytorch", 2L * 9)) {
            int n = z.matmulN;
            ws.add(matmul(p, "matmul " + n + "² fp32", n, n, n));
            // the shape that dominates a PPO update: a minibatch's tokens through the fused q,k,v projection
            int rows = z.ppoBatch / 4 * (z.ppoPrompt + z.ppoResponse), c = z.cfg.nEmbd();
            ws.add(matmul(p, "matmul " + rows + "×" + c + "·" + c + "×" + 3 * c + " fp32", rows, c, 3 * c));
            ws.add(time(p, "train step B=" + z.trainBatch + " T=" + z.trainSeq, "tokens/s", true,
                    () -> trainTokens / trainStep(), () -> trainTokens / python("train", r -> r
                            .put("batch", z.trainBatch).put("seq", z.trainSeq).put("salt", 0).put("lr", 1e-4))));
            for (int batch : new int[] {1, 16}) {
                for (boolean cached : new boolean[] {true, false}) {
                    int tokens = batch * z.genNew;
                    ws.add(time(p, "generate B=" + batch + (cached ? " kv-cache" : " no-cache"), "tokens/s", true,
                            () -> tokens / generate(batch, cached),
                            () -> tokens / python("generate", r -> r.put("batch", batch).put("prompt", z.genPrompt)
                                    .put("new_tokens", z.genNew).put("salt", 2).put("cached", cached))));
                }
            }
            int scoreTokens = z.scoreBatch * scoreSeq;
            ws.add(time(p, "score ref+value+RM B=" + z.scoreBatch + " T=" + scoreSeq, "tokens/s", true,
                    () -> scoreTokens / score(scoreSeq),
                    () -> scoreTokens / python("score", r -> r.put("batch", z.scoreBatch).put("seq", scoreSeq)
                            .put("salt", 3))));
            ws.add(time(p, "ppo step B=" + z.ppoBatch + " prompt " + z.ppoPrompt + " response " + z.ppoResponse,
                    "s", false, this::ppoStep,
                    () -> python("ppo", r -> r.put("batch", z.ppoBatch).put("minibatch", z.ppoBatch / 4)
                            .put("prompt", z.ppoPrompt).put("response", z.ppoResponse).put("epochs", z.ppoEpochs)
                            .put("salt", 4).put("lr", 3e-5))));
        }
        MachineLoad end = MachineLoad.now(py.pid());
        String load = String.format("load average %.2f at start, %.2f at end (its own threads included); other "
                + "processes used %.2f cores on average", start.load1(), end.load1(), end.othersCores(start));
        System.out.println("machine: " + load);
        return PytorchComparison.of(z, ws, baselineMb, pythonPeakRssMb, load);
    }

    /**
     * A warm-up round, then timed rounds ({@link Sizes#roundsFor}), the two sides in turns (who goes first flips each
     * round), with the CPU other processes took meanwhile.
     */
    private Workload time(Progress p, String name, String unit, boolean higherIsBetter, DoubleSupplier plaudit,
                          DoubleSupplier pytorch) {
        p.set("workload", name);
        long t0 = System.nanoTime();
        plaudit.getAsDouble();
        pytorch.getAsDouble();
        int rounds = z.roundsFor((System.nanoTime() - t0) / 1e9);
        p.step();
        MachineLoad before = MachineLoad.now(py.pid());
        double[] a = new double[rounds], b = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            if ((r & 1) == 0) {
                a[r] = plaudit.getAsDouble();
                b[r] = pytorch.getAsDouble();
            } else {
                b[r] = pytorch.getAsDouble();
                a[r] = plaudit.getAsDouble();
            }
        }
        p.step();
        return new Workload(name, unit, higherIsBetter, a, b, MachineLoad.now(py.pid()).othersCores(before));
    }

    private double python(String op, UnaryOperator<ObjectNode> args) {
        JsonNode reply = py.call(args.apply(PythonSide.request(op)));
        if (op.equals("train")) checkSameModel(reply.get("loss").asDouble());
        if (op.equals("ppo")) pythonPeakRssMb = reply.get("peak_rss_mb").asDouble();
        return reply.get("seconds").asDouble();
    }

    // ---- the Plaudit side of each workload; each returns seconds ----

    /** GFLOP/s of {@code [m, k]·[k, n]} on each side, repeated to about 2 GFLOP per round. */
    private Workload matmul(Progress p, String name, int m, int k, int n) {
        double flops = 2.0 * m * k * n;
        int reps = (int) Math.max(1, Math.round(2e9 / flops));
        return time(p, name, "GFLOP/s", true, () -> flops * reps / 1e9 / matmulSeconds(m, k, n, reps),
                () -> flops * reps / 1e9 / py.call(PythonSide.request("matmul").put("m", m).put("k", k).put("n", n)
                        .put("reps", reps)).get("seconds").asDouble());
    }

    private double matmulSeconds(int m, int k, int n, int reps) {
        try (NDManager s = model.manager().newSubManager()) {
            NDArray a = s.randomNormal(0, 1, new Shape(m, k), DataType.FLOAT32);
            NDArray b = s.randomNormal(0, 1, new Shape(k, n), DataType.FLOAT32);
            long t0 = System.nanoTime();
            NDArray c = null;
            for (int i = 0; i < reps; i++) {
                if (c != null) c.close();
                c = a.matMul(b);
            }
            c.get(0, 0).getFloat(); // wait for the result (asynchronous on a GPU)
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** The deterministic batch both sides build: {@code id(i) = (i·7919 + 13·salt) mod vocab}, row-major. */
    static long[] batchIds(int batch, int seq, int vocab, int salt) {
        long[] ids = new long[batch * seq];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 7919L + 13L * salt) % vocab;
        return ids;
    }

    /** The rows of {@link #batchIds} as prompts of {@code len} ids each. */
    static List<int[]> prompts(int batch, int len, int vocab, int salt) {
        long[] ids = batchIds(batch, len, vocab, salt);
        List<int[]> prompts = new ArrayList<>();
        for (int r = 0; r < batch; r++) {
            prompts.add(Arrays.stream(ids, r * len, (r + 1) * len).mapToInt(i -> (int) i).toArray());
        }
        return prompts;
    }

    private double firstLoss = Double.NaN;
    private double pythonFirstLoss = Double.NaN;

    private double trainStep() {
        if (trainOpt == null) {
            model.setTrainable(true);
            trainOpt = AdamW.of(model.parameters(), 0.1);
        }
        long t0 = System.nanoTime();
        double loss = trainStep(model, trainOpt, z, device);
        if (Double.isNaN(firstLoss)) firstLoss = loss;
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * One training step of {@code model} (trainable) on the deterministic batch both sides build: forward, backward,
     * clipping to norm 1, AdamW at lr 1e-4, as the product's {@link TrainStep} does it; returns the loss.
     */
    static double trainStep(Gpt model, AdamW opt, Sizes z, Device device) {
        int v = z.cfg.vocabSize();
        try (NDManager s = model.manager().newSubManager(device)) {
            Shape shape = new Shape(z.trainBatch, z.trainSeq);
            NDArray ids = s.create(batchIds(z.trainBatch, z.trainSeq, v, 0), shape);
            NDArray targets = s.create(batchIds(z.trainBatch, z.trainSeq, v, 1), shape);
            return TrainStep.run(s, opt, 1e-4, 1.0, 1, 1, i -> model.loss(ids, targets, null, true)).loss();
        }
    }

    /**
     * The first training step sees the same weights and batch on both sides, so its loss must agree: otherwise the
     * two sides are not running the same model and the comparison would mean nothing.
     */
    private void checkSameModel(double pythonLoss) {
        if (!Double.isNaN(pythonFirstLoss)) return;
        pythonFirstLoss = pythonLoss;
        if (Math.abs(pythonLoss - firstLoss) > 1e-4 * Math.max(1, Math.abs(firstLoss))) {
            throw new IllegalStateException("first training loss differs: Plaudit " + firstLoss + ", PyTorch "
                    + pythonLoss + "; the two sides do not compute the same model");
        }
    }

    private double generate(int batch, boolean cached) {
        List<int[]> prompts = prompts(batch, z.genPrompt, z.cfg.vocabSize(), 2);
        // eosId -1: every row generates exactly genNew tokens, as on the PyTorch side
        SamplingConfig sc = new SamplingConfig(z.genNew, 1.0, 0, 1.0, -1, 3);
        long t0 = System.nanoTime();
        Generator.generate(model, prompts, sc, cached);
        return (System.nanoTime() - t0) / 1e9;
    }

    private double score(int seq) {
        PpoModels m = ppo();
        long t0 = System.nanoTime();
        m.score(seq);
        return (System.nanoTime() - t0) / 1e9;
    }

    private double ppoStep() {
        PpoModels m = ppo();
        long t0 = System.nanoTime();
        m.trainer.step(null);
        return (System.nanoTime() - t0) / 1e9;
    }

    private PpoModels ppo() {
        if (ppo == null) ppo = new PpoModels(z, model, device);
        return ppo;
    }
}
