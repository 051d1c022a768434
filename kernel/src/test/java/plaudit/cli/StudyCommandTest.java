package plaudit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code plaudit study --scale tiny}: the smoke run of the whole pipeline writes its summary, metrics and plots. */
class StudyCommandTest {

    @Test
    void tinyStudyWritesSummaryMetricsAndPlots(@TempDir Path dir) throws Exception {
        assertEquals(0, PlauditCli.run("study", "--out", dir.toString(), "--scale", "tiny"));
        Map<String, Double> summary = new HashMap<>();
        List<String> lines = Files.readAllLines(dir.resolve("summary.csv"));
        assertEquals("metric,value", lines.get(0));
        for (String l : lines.subList(1, lines.size())) {
            String[] kv = l.split(",");
            summary.put(kv[0], Double.parseDouble(kv[1]));
        }
        for (String k : List.of("rm_val_accuracy", "rm_gold_agreement", "noise_ceiling", "ppo_gold_winrate_vs_sft",
                "ppo_gold_winrate_se", "ppo_kl", "beta0_proxy_final", "beta0_gold_peak", "beta0_gold_final")) {
            assertTrue(summary.containsKey(k) && Double.isFinite(summary.get(k)), k + " in " + summary);
        }
        double se = summary.get("ppo_gold_winrate_se");
        assertTrue(se > 0 && se < 0.25, "standard error of the win rate " + se);
        double ceiling = summary.get("noise_ceiling");
        assertTrue(ceiling > 0.6 && ceiling < 0.95, "noise ceiling " + ceiling);
        assertTrue(summary.get("rm_val_accuracy") > 0.5, "the reward model beats chance on held-out upvote pairs");
        assertTrue(summary.get("beta0_gold_peak") >= summary.get("beta0_gold_final"));
        // the reward model's recipe: the forum's readers vote on SFT's replies, and the score is the mean over positions
        assertTrue(summary.get("reply_vote_pairs") > 0 && summary.get("reply_vote_gold_agreement") > 0.5, summary.toString());
        assertTrue(Files.readString(dir.resolve("rm/checkpoint/score_head.json")).contains("\"mean\""));
        assertEquals(summary.get("reply_vote_pairs").longValue(), Files.readAllLines(dir.resolve("pairs/reply_votes.jsonl")).size());
        for (String f : List.of("ppo_adaptive/metrics.csv", "ppo_beta0/metrics.csv", "rm/metrics.csv",
                "sft/metrics.csv", "best_of_n.csv", "plots/gold_vs_kl.svg", "plots/overoptimisation.svg",
                "plots/reward_model.svg", "plots/ppo_adaptive.svg")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
    }
}
