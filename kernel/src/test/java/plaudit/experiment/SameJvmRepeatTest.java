package plaudit.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.train.ppo.PpoConfig;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static plaudit.train.ppo.PpoConfig.ADAPTIVE_KL;
import static plaudit.train.ppo.PpoConfig.BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.KL_HORIZON;
import static plaudit.train.ppo.PpoConfig.MINI_BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.PPO_EPOCHS;
import static plaudit.train.ppo.PpoConfig.RESPONSE_LENGTH;
import static plaudit.train.ppo.PpoConfig.SAMPLE_EVERY;
import static plaudit.train.ppo.PpoConfig.STEPS;
import static plaudit.train.ppo.PpoConfig.TARGET_KL;

/**
 * Seeded PPO runs repeat bit for bit within one JVM, as notebook cells need: the first run of a session, run while
 * the JIT is still compiling the Java side, must equal the later ones. (HotSpot's Math intrinsics once made it
 * differ; see StrictMath in AdamW, LrSchedule, Generator and KlEstimator. Later runs also differed when a garbage
 * collection freed memory a backward pass still read; see plaudit.model.Scalar and BackwardAfterGcTest.) Wall-clock
 * columns are the only exception.
 */
class SameJvmRepeatTest {

    @Test
    void threeSeededPpoRunsInOneSessionAreIdentical(@TempDir Path dir) {
        Experiment e = MicroExperiments.micro(new Experiment.Pretrain(4, 8, 1e-3), new Experiment.Sft(4, 8, 3e-4),
                Experiment.RewardModel.of(4, 8, 1e-4),
                PpoConfig.SETTINGS.builder().set(STEPS, 12).set(BATCH_SIZE, 8).set(MINI_BATCH_SIZE, 2).set(PPO_EPOCHS, 2)
                        .set(RESPONSE_LENGTH, 8).set(ADAPTIVE_KL, true).set(TARGET_KL, 2.0).set(KL_HORIZON, 80.0)
                        .set(SAMPLE_EVERY, 1).build(),
                new Experiment.Evaluation(true, 4, 2, List.of(1, 2), 3), 3);
        try (ExperimentRunner.Session s = new ExperimentRunner(dir).train(e, null)) {
            Table first = s.ppo("run0", e.ppo(), false);
            for (int i = 1; i < 3; i++) {
                Table again = s.ppo("run" + i, e.ppo(), false);
                for (String c : first.columnNames()) {
                    if (c.startsWith("time/")) continue;
                    assertEquals(first.doubleColumn(c).asList(), again.doubleColumn(c).asList(), c + " of run " + i);
                }
            }
        }
    }
}
