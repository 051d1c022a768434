package plaudit.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.train.steer.SteerConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a trained session writes and records for the runs made on it. */
class SessionTest {

    @Test
    void steerCsvKeepsTheTargetsLeadingSpace(@TempDir Path out) throws Exception {
        try (ExperimentRunner.Session s = new ExperimentRunner(out).train(ExperimentTest.micro(), null)) {
            s.steer("steer", " in my experience", SteerConfig.SETTINGS.builder().set(SteerConfig.STEPS, 2).set(SteerConfig.SOFT_TOKENS, 2)
                    .set(SteerConfig.SEED, 3L).build());
        }
        List<String> lines = Files.readAllLines(out.resolve("steer/steer.csv"));
        assertTrue(lines.get(1).contains(", in my experience,"), "the target keeps its leading space: " + lines);
    }

    @Test
    void twoPpoRunsKeepTwoSummaries(@TempDir Path out) {
        Experiment e = ExperimentTest.micro();
        try (ExperimentRunner.Session s = new ExperimentRunner(out).train(e, null)) {
            s.ppo("ppo_a", e.ppo(), true);
            s.ppo("ppo_b", e.ppo().withFixedKl(0), true);
            s.ppo("ppo_c", e.ppo(), "ppo");
            Map<String, Double> m = s.summary();
            for (String run : List.of("ppo_a", "ppo_b", "ppo")) {
                for (String k : List.of("_kl", "_proxy", "_gold", "_gold_winrate_vs_sft", "_gold_winrate_se")) {
                    assertTrue(m.containsKey(run + k), run + k + " in " + m.keySet());
                }
            }
            assertNotEquals(m.get("ppo_a_kl"), m.get("ppo_b_kl"), "each run measured on its own policy");
            assertEquals(m.get("ppo_a_kl"), m.get("ppo_kl"), "the same settings and seed under an explicit name");
            assertFalse(m.containsKey("ppo_c_kl"), "measured under the name it was given");
        }
    }
}
