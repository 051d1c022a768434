package plaudit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import plaudit.UserError;
import plaudit.model.Gpt;
import plaudit.model.NoGrad;
import plaudit.report.MetricsLog;
import plaudit.report.Progress;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Next-token pretraining of a {@link Gpt} on a {@link TokenCorpus}: AdamW, warmup + cosine decay, gradient
 * clipping and accumulation, periodic held-out evaluation. Every step runs in its own NDManager so that nothing
 * native outlives the step; metrics go to a {@link MetricsLog} row per step.
 */
public final class LmTrainer {

    /**
     * @param steps       optimizer steps
     * @param batchSize   sequences per micro-batch
     * @param gradAccum   micro-batches per optimizer step (effective batch = batchSize × gradAccum)
     * @param seqLen      tokens per sequence (≤ the model's block_size)
     * @param schedule    learning-rate schedule
     * @param weightDecay AdamW decoupled weight decay on 2-D weights (nanoGPT: 0.1)
     * @param gradClip    max global gradient norm (GPT-2/nanoGPT: 1.0); ≤ 0 disables
     * @param evalEvery   evaluate the held-out loss every this many steps (and at the last step)
     * @param evalBatches micro-batches averaged per evaluation
     * @param seed        seeds batch sampling and dropout
     */
    public record Config(int steps, int batchSize, int gradAccum, int seqLen, LrSchedule schedule, double weightDecay,
                         double gradClip, int evalEvery, int evalBatches, long seed) {
        public Config {
            if (steps <= 0) throw new UserError("steps must be positive, got " + steps);
            if (batchSize <= 0) throw new UserError("batch size must be positive, got " + batchSize);
            if (gradAccum <= 0) throw new UserError("grad-accum must be positive, got " + gradAccum);
            if (seqLen <= 1) throw new UserError("sequence length must be > 1, got " + seqLen);
        }
    }

    /** Called after a step is complete (e.g. to write a checkpoint). */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(int step, AdamW optimizer);
    }

    private LmTrainer() {
    }

    /** Trains in place and returns the final held-out loss. */
    public static double train(Gpt model, TokenCorpus corpus, Config cfg, MetricsLog log, int checkpointEvery,
                               StepListener checkpoint) {
        if (cfg.seqLen() > model.config().blockSize()) {
            throw new UserError("sequence length " + cfg.seqLen() + " exceeds the model's block_size "
                    + model.config().blockSize() + "; lower --seq-len or raise --block-size");
        }
        Engine.getEngine("PyTorch").setRandomSeed((int) cfg.seed()); // dropout masks
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        model.setTrainable(true);
        AdamW opt = AdamW.of(model.parameters(), cfg.weightDecay());
        long tokensPerStep = (long) cfg.batchSize() * cfg.gradAccum() * cfg.seqLen();
        double valLoss = Double.NaN;
        try (Progress bar = new Progress("train-lm", cfg.steps())) {
            for (int step = 0; step < cfg.steps(); step++) {
                long t0 = System.nanoTime();
                double lr = cfg.schedule().at(step);
                TrainStep.Result r;
                try (NDManager scope = model.manager().newSubManager(model.device())) {
                    r = TrainStep.run(scope, opt, lr, cfg.gradClip(), cfg.gradAccum(), step, micro -> {
                        int[][] w = TokenCorpus.windows(corpus.train(), cfg.batchSize(), cfg.seqLen(), rng);
                        NDArray[] xy = inputsAndTargets(scope, w);
                        return model.loss(xy[0], xy[1], null, true);
                    });
                }
                boolean last = step == cfg.steps() - 1;
                boolean eval = last || (cfg.evalEvery() > 0 && (step + 1) % cfg.evalEvery() == 0);
                if (eval) valLoss = evaluate(model, corpus.val(), cfg);
                double secs = (System.nanoTime() - t0) / 1e9;
                Map<String, Number> row = new LinkedHashMap<>();
                row.put("step", step + 1);
                row.put("loss", r.loss());
                row.put("val_loss", eval ? valLoss : Double.NaN);
                row.put("lr", lr);
                row.put("grad_norm", r.gradNorm());
                row.put("tokens", (step + 1) * tokensPerStep);
                row.put("tokens_per_s", tokensPerStep / secs);
                log.log(row);
                bar.set("loss", r.loss()).set("val", valLoss).set("lr", lr);
                bar.step();
                if (checkpoint != null && (last || (checkpointEvery > 0 && (step + 1) % checkpointEvery == 0))) {
                    checkpoint.afterStep(step + 1, opt);
                }
            }
        }
        return valLoss;
    }

    /** Mean next-token loss over fixed windows of held-out tokens (same windows every call, so points compare). */
    public static double evaluate(Gpt model, int[] tokens, Config cfg) {
        SplittableRandom rng = new SplittableRandom(cfg.seed() ^ 0x5EEDL);
        double sum = 0;
        try (NoGrad ignored = NoGrad.enter(); NDManager scope = model.manager().newSubManager(model.device())) {
            for (int i = 0; i < cfg.evalBatches(); i++) {
                NDArray[] xy = inputsAndTargets(scope, TokenCorpus.windows(tokens, cfg.batchSize(), cfg.seqLen(), rng));
                sum += model.loss(xy[0], xy[1], null, false).getFloat();
            }
        }
        return sum / cfg.evalBatches();
    }

    /** Splits windows of len + 1 tokens into inputs [B, len] and next-token targets [B, len] (int64). */
    static NDArray[] inputsAndTargets(NDManager scope, int[][] windows) {
        int b = windows.length, t = windows[0].length - 1;
        long[] x = new long[b * t], y = new long[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                x[i * t + j] = windows[i][j];
                y[i * t + j] = windows[i][j + 1];
            }
        }
        Shape shape = new Shape(b, t);
        return new NDArray[] {scope.create(x, shape), scope.create(y, shape)};
    }
}
