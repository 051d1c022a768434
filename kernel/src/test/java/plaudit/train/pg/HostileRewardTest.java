package plaudit.train.pg;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.data.RewardFunction;
import plaudit.train.TrainingCheckpoint;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static plaudit.train.ppo.PpoConfig.BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.LR;
import static plaudit.train.ppo.PpoConfig.MINI_BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.RESPONSE_LENGTH;
import static plaudit.train.ppo.PpoConfig.SAMPLE_EVERY;
import static plaudit.train.ppo.PpoConfig.SEED;
import static plaudit.train.ppo.PpoConfig.STEPS;

/**
 * A reward (a DSL function) that returned NaN once stopped a run without naming the step, and with no checkpoint
 * between the last interval's and the failure: the steps since were lost. It now stops naming the step, the sample,
 * its prompt and the reward, with the last completed step's checkpoint on disk, from which a resume with the fixed
 * reward ends exactly as a run that never failed.
 */
@Tag("adversarial")
class HostileRewardTest {
    private static final PpoConfig CFG = PpoConfig.SETTINGS.builder().set(STEPS, 4).set(BATCH_SIZE, 4)
            .set(MINI_BATCH_SIZE, 2).set(LR, 3e-3).set(RESPONSE_LENGTH, 4).set(SEED, 7L).set(SAMPLE_EVERY, 1).build();
    /** The number of 'x' in the response. */
    private static final RewardFunction SAY_X = (p, r) -> r.chars().filter(c -> c == 'x').count();

    @Test
    void aNanRewardStopsNamingTheStepWithTheLastStepCheckpointed(@TempDir Path dir) {
        Table straight = ResumableTraining.run("ppo", HostileResumeTest.ppo(CFG, SAY_X), dir.resolve("straight"), 4,
                20, new ArrayList<>(), null);

        Path out = dir.resolve("failed");
        RewardFailure e = assertThrows(RewardFailure.class, () -> ResumableTraining.run("ppo",
                HostileResumeTest.ppo(CFG, new NanAtCall(3, 1)), out, 4, 20, new ArrayList<>(), null));
        String m = e.getMessage();
        assertTrue(m.startsWith("ppo step 3: reward 'nan on call 3' returned NaN for sample 1 (prompt \""), m);
        assertTrue(m.endsWith("; the checkpoint of step 2 is in " + out.resolve("checkpoint")
                + ": fix the reward and resume"), m);
        assertFalse(m.contains("\n"), m);
        assertEquals(2, TrainingCheckpoint.step(out.resolve("checkpoint")), "the interval (20) was never reached");

        PpoTrainer fixed = HostileResumeTest.ppo(CFG, SAY_X);
        List<Sample> kept = new ArrayList<>();
        assertEquals(2, ResumableTraining.resume(fixed, out, kept));
        assertEquals(2 * 4, kept.size(), "the samples of steps 1 and 2");
        Table resumed = ResumableTraining.run("ppo", fixed, out, 4, 20, kept, null);
        assertEquals(4, resumed.rowCount());
        for (String col : List.of("objective/scores", "objective/kl", "loss/policy_avg")) {
            for (int row = 2; row < 4; row++) {
                assertEquals(straight.doubleColumn(col).get(row), resumed.doubleColumn(col).get(row), 1e-6,
                        col + " at step " + (row + 1));
            }
        }
    }

    /** A prompt in the message is one line of at most 80 characters. */
    @Test
    void theShownPromptIsOneShortLine() {
        assertEquals("a b c", Rollout.shown(" a\n b\t\tc\r\n"));
        String shown = Rollout.shown("y".repeat(500));
        assertEquals("y".repeat(80) + "…", shown);
    }

    /** The number of x, but NaN for sample {@code sample} of the {@code call}-th batch (one batch per step). */
    private static final class NanAtCall implements RewardFunction {
        private final int call;
        private final int sample;
        private int calls;

        NanAtCall(int call, int sample) {
            this.call = call;
            this.sample = sample;
        }

        @Override
        public double score(String prompt, String response) {
            return SAY_X.score(prompt, response);
        }

        @Override
        public double[] scoreAll(List<String> prompts, List<String> responses) {
            double[] s = RewardFunction.super.scoreAll(prompts, responses);
            if (++calls == call) s[sample] = Double.NaN;
            return s;
        }

        @Override
        public String name() {
            return "nan on call " + call;
        }
    }
}
