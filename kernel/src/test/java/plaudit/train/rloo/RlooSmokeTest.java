package plaudit.train.rloo;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.report.MetricsLog;
import plaudit.data.RewardFunction;
import plaudit.train.ppo.CharTokenizer;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End-to-end RLOO on a tiny random model with PPO's trivial reward ("say x"): the fraction of 'x' climbs from chance
 * (~1/29) well above it within a few dozen steps, the KL to the reference grows, and the sequence reward is the score
 * minus β·KL.
 */
class RlooSmokeTest {

    static final RewardFunction SAY_X = (prompt, response) ->
            response.isEmpty() ? 0 : response.chars().filter(c -> c == 'x').count() / (double) response.length();

    static final List<String> PROMPTS = List.of("say ", "hello ", "the cat ", "a dog ");
    static final GptConfig MODEL = new GptConfig(1, 2, 32, 24, new CharTokenizer().vocabSize(), 0.0);

    static RlooConfig config(int steps) {
        return new RlooConfig(steps, 4, 4, 4, 8, 3e-3, 8, 1.0, 0.01, 0.2, false, 0, 0, 1.0, 0, 7);
    }

    /** {@code steps} iterations from the seeded initial model; with {@code from} set, resumed from that checkpoint. */
    static Table run(RlooConfig cfg, Path from, Path saveTo) {
        try (Gpt policy = Gpt.init(MODEL, Device.cpu(), 3);
             Gpt ref = Gpt.fromParameters(MODEL, policy.parameters(), Device.cpu())) {
            RlooTrainer rloo = new RlooTrainer(policy, ref, SAY_X, null, new CharTokenizer(), PROMPTS, cfg);
            if (from != null) rloo.resume(from);
            MetricsLog log = new MetricsLog("rloo", null);
            rloo.train(log, new ArrayList<>(), null);
            if (saveTo != null) rloo.save(saveTo);
            return log.table();
        }
    }

    /** Stop after 3 steps, resume from the checkpoint: steps 4–6 give exactly the metrics of an uninterrupted run. */
    @Test
    void resumeContinuesToTheSameMetrics(@TempDir Path dir) {
        Table straight = run(config(6), null, null);
        run(config(3), null, dir.resolve("ckpt"));
        Table resumed = run(config(6), dir.resolve("ckpt"), null);
        assertEquals(3, resumed.rowCount());
        for (String col : List.of("objective/scores", "objective/kl", "loss/policy_avg", "policy/approxkl_avg")) {
            for (int i = 0; i < 3; i++) {
                assertEquals(straight.doubleColumn(col).get(i + 3), resumed.doubleColumn(col).get(i), 1e-6,
                        col + " at step " + (i + 4));
            }
        }
    }

    @Test
    void learnsToSayX() {
        Table t = run(config(40), null, null);
        double first = t.doubleColumn("objective/scores").get(0);
        double last = t.doubleColumn("objective/scores").where(t.doubleColumn("step").isGreaterThan(35)).mean();
        assertTrue(first < 0.15, "starts near chance, got " + first);
        assertTrue(last > 0.5, "learned to say x: mean score over the last steps " + last);
        assertTrue(t.doubleColumn("objective/kl").get(t.rowCount() - 1) > 0.5, "moved away from the reference");
        for (int i = 0; i < t.rowCount(); i++) {
            assertEquals(t.doubleColumn("objective/scores").get(i) - 0.01 * t.doubleColumn("objective/kl").get(i),
                    t.doubleColumn("objective/rlhf_reward").get(i), 1e-9, "KL in the reward at row " + i);
        }
    }
}
