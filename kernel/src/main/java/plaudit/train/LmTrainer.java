package plaudit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import plaudit.UserError;
import plaudit.model.Gpt;
import plaudit.model.NoGrad;
import plaudit.report.MetricsLog;

import java.util.List;
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
        AdamW opt = optimizer(model, cfg);
        return train(model, corpus, cfg, log, opt, new SupervisedLoop.Control(null, 0, done -> {
            boolean due = done == cfg.steps() || (checkpointEvery > 0 && done % checkpointEvery == 0);
            if (checkpoint != null && due) checkpoint.afterStep(done, opt);
        }));
    }

    /** Trains in place under {@code control} (step hook, checkpoints, resume); returns the final held-out loss. */
    public static double train(Gpt model, TokenCorpus corpus, Config cfg, MetricsLog log,
                               SupervisedLoop.Control control) {
        return train(model, corpus, cfg, log, optimizer(model, cfg), control);
    }

    private static AdamW optimizer(Gpt model, Config cfg) {
        model.setTrainable(true);
        return AdamW.of(model.parameters(), cfg.weightDecay());
    }

    private static double train(Gpt model, TokenCorpus corpus, Config cfg, MetricsLog log, AdamW opt,
                                SupervisedLoop.Control control) {
        if (cfg.seqLen() > model.config().blockSize()) {
            throw new UserError("sequence length " + cfg.seqLen() + " exceeds the model's block_size "
                    + model.config().blockSize() + "; lower --seq-len or raise --block-size");
        }
        SupervisedLoop.Settings settings = new SupervisedLoop.Settings("train-lm", cfg.steps(), cfg.schedule(),
                cfg.gradClip(), cfg.gradAccum(), cfg.evalEvery(), cfg.seed(), CheckpointSettings.of(cfg));
        return SupervisedLoop.run(settings, model, Map.of(), opt, new Pretraining(model, corpus, cfg), log, control)
                .get("val_loss").doubleValue();
    }

    /** Next-token loss on random windows of the corpus; the held-out loss; tokens seen and tokens per second. */
    private record Pretraining(Gpt model, TokenCorpus corpus, Config cfg) implements SupervisedLoop.Task<int[][][]> {
        @Override
        public int[][][] draw(SplittableRandom rng) {
            int[][][] micro = new int[cfg.gradAccum()][][];
            for (int i = 0; i < micro.length; i++) micro[i] = TokenCorpus.windows(corpus.train(), cfg.batchSize(), cfg.seqLen(), rng);
            return micro;
        }

        @Override
        public NDArray loss(NDManager scope, int[][][] batch, int micro, Map<String, Number> metrics) {
            NDArray[] xy = inputsAndTargets(scope, batch[micro]);
            return model.loss(xy[0], xy[1], null, true);
        }

        @Override
        public List<String> heldOutMetrics() {
            return List.of("val_loss");
        }

        @Override
        public Map<String, Number> evaluate() {
            return Map.of("val_loss", LmTrainer.evaluate(model, corpus.val(), cfg));
        }

        @Override
        public void throughput(int done, double seconds, Map<String, Number> row) {
            long tokensPerStep = (long) cfg.batchSize() * cfg.gradAccum() * cfg.seqLen();
            row.put("tokens", done * tokensPerStep);
            row.put("tokens_per_s", tokensPerStep / seconds);
        }
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
