package plaudit.train.pg;


import plaudit.report.MetricsLog;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;

/** A policy-gradient run that can be checkpointed and resumed (PPO, RLOO): what {@link ResumableTraining} drives. */
public interface PolicyGradientTrainer {
    /** Iterations done so far. */
    int step();

    /** Writes the run's state atomically to {@code dir}. */
    void save(Path dir);

    /** Continues from a checkpoint written by {@link #save}: same metrics as if the run had never stopped. */
    void resume(Path dir);

    /** Runs the remaining iterations, logging every row; {@code afterStep} gets each finished step's number. */
    void train(MetricsLog log, List<Sample> samples, IntConsumer afterStep);
}
