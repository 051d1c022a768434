package plaudit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import plaudit.model.CausalLm;
import plaudit.report.MetricsLog;
import plaudit.report.Progress;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * The training loop of pretraining, SFT, the reward model and DPO. One step, top to bottom: draw a batch, one AdamW
 * step on its loss (warmup + cosine learning rate, gradient accumulation and clipping: {@link TrainStep}), the
 * held-out evaluation every {@code evalEvery} steps and at the last, one metrics row, the step hook (which may cancel
 * by throwing), and every {@code every} steps a checkpoint. What differs between the trainers is their {@link Task}.
 *
 * <p>A run resumed from a checkpoint logs exactly the rows an uninterrupted run would: parameters and AdamW state
 * come from the checkpoint, and the batch stream is brought to the same position by drawing (and dropping) the
 * batches of the steps it covers, which costs no forward pass. Dropout draws from PyTorch's global generator, whose
 * state DJL cannot save: a model with dropout resumes to a different (equally valid) continuation.
 */
public final class SupervisedLoop {

    /**
     * @param label     name on the progress bar
     * @param steps     optimizer steps
     * @param schedule  learning rate per step
     * @param gradClip  max global gradient norm; ≤ 0 disables
     * @param gradAccum micro-batches per optimizer step
     * @param evalEvery held-out evaluation interval in steps (the last step is always evaluated); ≤ 0: the last only
     * @param seed      seeds batch sampling and dropout
     * @param recorded  the trainer's config, which every checkpoint records and a resumed run must repeat
     */
    public record Settings(String label, int steps, LrSchedule schedule, double gradClip, int gradAccum, int evalEvery,
                           long seed, CheckpointSettings recorded) {
    }

    /**
     * Per-step control of a run: a hook after each step (e.g. one that throws a
     * {@code CancellationException} when the run is cancelled) and a checkpoint folder written every
     * {@code every} steps and at the last, after the hook. When the folder holds a checkpoint, the run resumes from it.
     *
     * @param checkpoint folder of the run's checkpoint; null: none
     * @param every      checkpoint interval in steps; 0: never
     * @param afterStep  called with the number of steps done; may be null
     */
    public record Control(Path checkpoint, int every, IntConsumer afterStep) {
        /** No hook, no checkpoint. */
        public static final Control NONE = new Control(null, 0, null);

        /** Steps the checkpoint covers (0 without one): the metrics rows to keep ({@link MetricsLog#resume}). */
        public int stepsDone() {
            return TrainingCheckpoint.exists(checkpoint) ? TrainingCheckpoint.step(checkpoint) : 0;
        }
    }

    /**
     * What one trainer adds to the loop.
     *
     * @param <B> a batch: what one step trains on
     */
    public interface Task<B> {
        /** Draws the next step's batch: the only use of the batch stream {@code rng}, so that a resume can replay it. */
        B draw(SplittableRandom rng);

        /** Loss of micro-batch {@code micro} of {@code batch}, built in {@code scope}; its metrics go into {@code metrics}. */
        NDArray loss(NDManager scope, B batch, int micro, Map<String, Number> metrics);

        /** Names of the held-out metrics, logged NaN at steps without an evaluation. */
        List<String> heldOutMetrics();

        /** The held-out metrics now; null when there is no held-out data. */
        Map<String, Number> evaluate();

        /** Columns logged between {@code step} and {@code loss} (DPO: epoch). */
        default void progress(int done, Map<String, Number> row) {
        }

        /** Columns logged after {@code grad_norm} (pretraining: tokens and throughput). */
        default void throughput(int done, double seconds, Map<String, Number> row) {
        }
    }

    private SupervisedLoop() {
    }

    /**
     * Trains {@code model} (with {@code extra}, further trained tensors checkpointed beside it) with {@code opt}.
     *
     * @return the held-out metrics of the last step (null when there is no held-out data)
     */
    public static <B> Map<String, Number> run(Settings s, CausalLm model, Map<String, Map<String, NDArray>> extra, AdamW opt,
                                              Task<B> task, MetricsLog log, Control control) {
        SplittableRandom rng = new SplittableRandom(s.seed());
        int done = 0;
        if (TrainingCheckpoint.exists(control.checkpoint())) {
            done = TrainingCheckpoint.resume(control.checkpoint(), s.recorded(), model, opt, extra).get("step").asInt();
            for (int i = 0; i < done; i++) task.draw(rng); // the batch stream's position after `done` steps
        }
        Engine.getEngine("PyTorch").setRandomSeed((int) s.seed()); // dropout masks
        Map<String, Number> heldOut = done >= s.steps() ? task.evaluate() : null;
        String shown = task.heldOutMetrics().get(0);
        try (Progress bar = new Progress(s.label(), s.steps())) {
            bar.advance(done);
            for (int step = done; step < s.steps(); step++) {
                long t0 = System.nanoTime();
                B batch = task.draw(rng);
                double lr = s.schedule().at(step);
                Map<String, Number> batchMetrics = new LinkedHashMap<>();
                TrainStep.Result r;
                try (NDManager scope = model.manager().newSubManager(model.device())) {
                    r = TrainStep.run(scope, opt, lr, s.gradClip(), s.gradAccum(), step + 1,
                            micro -> task.loss(scope, batch, micro, batchMetrics));
                }
                boolean last = step == s.steps() - 1;
                boolean due = last || (s.evalEvery() > 0 && (step + 1) % s.evalEvery() == 0);
                heldOut = due ? task.evaluate() : null;
                double seconds = (System.nanoTime() - t0) / 1e9;

                Map<String, Number> row = new LinkedHashMap<>();
                row.put("step", step + 1);
                task.progress(step + 1, row);
                row.put("loss", r.loss());
                row.putAll(batchMetrics);
                for (String name : task.heldOutMetrics()) row.put(name, heldOut == null ? Double.NaN : heldOut.get(name));
                row.put("lr", lr);
                row.put("grad_norm", r.gradNorm());
                task.throughput(step + 1, seconds, row);
                log.log(row);

                bar.set("loss", r.loss()).set("lr", lr);
                if (heldOut != null) bar.set(shown, heldOut.get(shown).doubleValue());
                bar.step();
                afterStep(s, model, extra, opt, control, step + 1);
            }
        }
        return heldOut;
    }

    /** The hook first (a cancelled run keeps the checkpoint before), then the checkpoint when one is due. */
    private static void afterStep(Settings s, CausalLm model, Map<String, Map<String, NDArray>> extra, AdamW opt,
                                  Control control, int done) {
        if (control.afterStep() != null) control.afterStep().accept(done);
        if (control.checkpoint() != null && control.every() > 0 && (done % control.every() == 0 || done == s.steps())) {
            TrainingCheckpoint.save(control.checkpoint(), model, null, opt, extra, done, s.recorded(), Map.of());
        }
    }
}
