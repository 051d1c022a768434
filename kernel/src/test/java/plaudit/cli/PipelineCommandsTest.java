package plaudit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.model.Checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI pipeline on a tiny synthetic forum: forum → pairs → train-lm → sft → train-rm → ppo, then a resumed ppo.
 * Each stage reads what the previous one wrote, as a user would chain them.
 */
class PipelineCommandsTest {

    @Test
    void chainOfCommandsRunsAndResumes(@TempDir Path dir) throws Exception {
        String d = dir.toString();
        assertEquals(0, PlauditCli.run("forum", "--out", d + "/forum", "--threads", "120", "--seed", "2",
                "--corpus", d + "/corpus.txt"));
        assertEquals(0, PlauditCli.run("pairs", "--source", "reddit", "--submissions", d + "/forum/RS_forum.ndjson",
                "--comments", d + "/forum/RC_forum.ndjson", "--out", d + "/pairs"));
        assertTrue(Files.size(dir.resolve("pairs/train.jsonl")) > 0);
        String[] small = {"--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--block-size", "96"};
        assertEquals(0, PlauditCli.run(concat(new String[] {"train-lm", "--corpus", d + "/corpus.txt", "--out",
                d + "/lm", "--vocab-size", "400", "--steps", "6", "--batch", "4", "--eval-every", "3"}, small)));
        assertEquals(0, PlauditCli.run("sft", "--pairs", d + "/pairs", "--init", d + "/lm/checkpoint", "--out",
                d + "/sft", "--steps", "4", "--batch", "4", "--max-response", "24"));
        assertEquals(0, PlauditCli.run("train-rm", "--pairs", d + "/pairs", "--sft", d + "/sft/checkpoint", "--out",
                d + "/rm", "--steps", "4", "--batch", "4", "--max-response", "24", "--recenter-prompts", "4", "--gold"));
        assertTrue(Checkpoint.read(dir.resolve("rm/checkpoint")).tensorNames().contains("score_head"));
        String[] ppo = {"ppo", "--sft", d + "/sft/checkpoint", "--rm", d + "/rm/checkpoint", "--pairs", d + "/pairs",
                "--out", d + "/ppo", "--batch", "4", "--mini-batch", "2", "--epochs", "1", "--response-length", "8",
                "--checkpoint-every", "2", "--gold", "--adaptive-kl", "3"};
        assertEquals(0, PlauditCli.run(concat(ppo, new String[] {"--steps", "2"})));
        assertEquals(0, PlauditCli.run(concat(ppo, new String[] {"--steps", "3", "--resume"})));
        List<String> metrics = Files.readAllLines(dir.resolve("ppo/metrics.csv"));
        assertEquals(4, metrics.size(), "header + steps 1-3 after the resume");
        assertTrue(metrics.get(0).contains("objective/gold") && metrics.get(0).contains("objective/kl"));
        assertTrue(Files.exists(dir.resolve("ppo/samples.csv")));
        String[] shared = ppo.clone();
        shared[Arrays.asList(ppo).indexOf("--out") + 1] = d + "/ppo_shared";
        assertEquals(0, PlauditCli.run(concat(shared, new String[] {"--steps", "1", "--shared-trunk"})));
        assertEquals(2, Files.readAllLines(dir.resolve("ppo_shared/metrics.csv")).size(), "header + 1 step with a shared trunk");
        assertEquals(2, PlauditCli.run("ppo", "--sft", d + "/sft/checkpoint", "--rm", d + "/sft/checkpoint",
                "--pairs", d + "/pairs", "--out", d + "/ppo2"), "an LM checkpoint is not a reward model");

        // DPO and RLOO from the same SFT checkpoint (and RLOO against the same reward model)
        assertEquals(0, PlauditCli.run("dpo", "--sft", d + "/sft/checkpoint", "--pairs", d + "/pairs", "--out",
                d + "/dpo", "--steps", "3", "--batch", "4", "--max-response", "24", "--eval-every", "3"));
        String dpoHeader = Files.readAllLines(dir.resolve("dpo/metrics.csv")).get(0);
        for (String m : List.of("rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins",
                "logps/chosen", "logps/rejected", "eval_loss", "epoch")) {
            assertTrue(dpoHeader.contains(m), m + " in " + dpoHeader);
        }
        assertTrue(Files.exists(dir.resolve("dpo/checkpoint")));
        assertEquals(0, PlauditCli.run("rloo", "--sft", d + "/sft/checkpoint", "--rm", d + "/rm/checkpoint",
                "--pairs", d + "/pairs", "--out", d + "/rloo", "--steps", "2", "--prompts", "2", "-k", "2",
                "--mini-batch", "2", "--response-length", "8", "--gold"));
        assertEquals(0, PlauditCli.run("rloo", "--sft", d + "/sft/checkpoint", "--rm", d + "/rm/checkpoint",
                "--pairs", d + "/pairs", "--out", d + "/rloo", "--steps", "3", "--prompts", "2", "-k", "2",
                "--mini-batch", "2", "--response-length", "8", "--gold", "--resume"));
        List<String> rloo = Files.readAllLines(dir.resolve("rloo/metrics.csv"));
        assertEquals(4, rloo.size(), "header + steps 1-3 after the resume");
        assertTrue(rloo.get(0).contains("objective/rlhf_reward") && rloo.get(0).contains("objective/gold"));
        assertEquals(2, PlauditCli.run("rloo", "--sft", d + "/sft/checkpoint", "--rm", d + "/rm/checkpoint",
                "--pairs", d + "/pairs", "--out", d + "/rloo2", "-k", "1"), "k = 1 has no leave-one-out baseline");
        assertEquals(2, PlauditCli.run("rloo", "--sft", d + "/sft/checkpoint", "--rm", d + "/rm/checkpoint",
                "--pairs", d + "/pairs", "--out", d + "/rloo3", "--resume"), "nothing to resume from");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
