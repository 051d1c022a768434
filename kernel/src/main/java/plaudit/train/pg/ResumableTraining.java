package plaudit.train.pg;


import plaudit.report.MetricsLog;
import plaudit.train.TrainingCheckpoint;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Runs a {@link PolicyGradientTrainer} so that a kill loses at most {@code every} steps: every {@code every} steps
 * (and at the end) {@code DIR/samples.csv} and then {@code DIR/checkpoint} are written; after {@link #resume} a run
 * continues from that checkpoint, keeping the metrics rows and samples it covers (later ones were never checkpointed
 * and are computed again, identically, since every step seeds its own random streams). A reward that fails
 * ({@link RewardFailure}) stops the run with the checkpoint of the last completed step on disk.
 */
public final class ResumableTraining {
    private ResumableTraining() {
    }

    /** The checkpoint folder of a run writing to {@code dir}. */
    public static Path checkpoint(Path dir) {
        return dir.resolve("checkpoint");
    }

    private static Path samplesFile(Path dir) {
        return dir.resolve("samples.csv");
    }

    /**
     * Continues {@code trainer} from {@code DIR/checkpoint} when it holds one, putting the samples that checkpoint
     * covers into {@code samples}.
     *
     * @return the step the trainer resumed at; 0 when there was no checkpoint (a fresh start)
     */
    public static int resume(PolicyGradientTrainer trainer, Path dir, List<Sample> samples) {
        Path ckpt = checkpoint(dir);
        if (!TrainingCheckpoint.exists(ckpt)) return 0;
        trainer.resume(ckpt);
        for (Sample x : SamplesCsv.read(samplesFile(dir))) if (x.step() <= trainer.step()) samples.add(x);
        return trainer.step();
    }

    /**
     * Trains from the trainer's current step (after {@link #resume}, the metrics rows up to it are kept) to {@code steps}.
     *
     * @param every     checkpoint interval in steps; 0 = never (a run nobody will resume)
     * @param samples   receives the samples table's rows (those kept by {@link #resume} first)
     * @param afterStep called after each step, before any checkpoint (e.g. to cancel by throwing); may be null
     * @return the whole run's metrics (kept rows and new ones), also in {@code DIR/metrics.csv}
     */
    public static Table run(String name, PolicyGradientTrainer trainer, Path dir, int steps, int every,
                            List<Sample> samples, IntConsumer afterStep) {
        Path samplesFile = samplesFile(dir);
        try (MetricsLog log = MetricsLog.resume(name, dir.resolve("metrics.csv"), trainer.step())) {
            try {
                trainer.train(log, samples, step -> {
                    if (afterStep != null) afterStep.accept(step);
                    if (every > 0 && (step % every == 0 || step == steps)) save(trainer, samples, dir);
                });
            } catch (RewardFailure e) {
                throw checkpointed(e, trainer, samples, dir, every);
            }
            SamplesCsv.write(samples, samplesFile);
            return log.table();
        }
    }

    private static void save(PolicyGradientTrainer trainer, List<Sample> samples, Path dir) {
        SamplesCsv.write(samples, samplesFile(dir)); // before the checkpoint: it then covers every row kept
        trainer.save(checkpoint(dir));
    }

    /**
     * A reward that failed stops the run at the last completed step, whatever the interval: its checkpoint is written
     * unless it is already on disk, so that a resume goes on from there once the reward is fixed.
     */
    private static RewardFailure checkpointed(RewardFailure e, PolicyGradientTrainer trainer, List<Sample> samples,
                                              Path dir, int every) {
        Path ckpt = checkpoint(dir);
        if (every <= 0 || trainer.step() == 0) return e;
        if (!TrainingCheckpoint.exists(ckpt) || TrainingCheckpoint.step(ckpt) != trainer.step()) {
            save(trainer, samples, dir);
        }
        return new RewardFailure(e.getMessage() + "; the checkpoint of step " + trainer.step() + " is in " + ckpt
                + ": fix the reward and resume", e);
    }
}
