package plaudit.train.rloo;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.report.MetricsLog;
import plaudit.reward.RewardFunction;
import plaudit.train.ppo.CharTokenizer;
import tech.tablesaw.api.Table;

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

    @Test
    void learnsToSayX() {
        CharTokenizer tok = new CharTokenizer();
        GptConfig gc = new GptConfig(1, 2, 32, 24, tok.vocabSize(), 0.0);
        RlooConfig cfg = new RlooConfig(40, 4, 4, 4, 8, 3e-3, 8, 1.0, 0.01, 0.2, false, 0, 0, 1.0, 0, 7);
        Table t;
        try (Gpt policy = Gpt.init(gc, Device.cpu(), 3);
             Gpt ref = Gpt.fromParameters(gc, policy.parameters(), Device.cpu())) {
            RlooTrainer rloo = new RlooTrainer(policy, ref, SAY_X, null, tok,
                    List.of("say ", "hello ", "the cat ", "a dog "), cfg);
            MetricsLog log = new MetricsLog("rloo", null);
            rloo.train(log, new ArrayList<>(), null);
            t = log.table();
        }
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
