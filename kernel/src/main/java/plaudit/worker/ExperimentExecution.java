package plaudit.worker;

import plaudit.experiment.Experiment;
import plaudit.experiment.ExperimentRunner;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * A job as the worker runs it: the stored experiment on the worker's device, with its reward source compiled, by a
 * resumable {@link ExperimentRunner}, so that a job interrupted by a restart continues where its checkpoints end.
 */
public final class ExperimentExecution implements JobQueue.Execution {
    private final JobStore store;
    private final String device;

    /** @param device the worker's device ({@code cpu}, {@code gpu}, {@code gpu:N}); replaces the spec's */
    public ExperimentExecution(JobStore store, String device) {
        this.store = store;
        this.device = device;
    }

    @Override
    public void run(String id, Path out, BooleanSupplier cancelled) {
        Experiment e = store.experiment(id);
        Experiment here = e.withDevice(device);
        String source = store.rewardSource(id);
        new ExperimentRunner(out, id).resumable(cancelled).run(here, source == null ? null : new RewardSource(source));
    }
}
