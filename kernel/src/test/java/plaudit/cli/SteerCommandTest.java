package plaudit.cli;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.Safetensors;
import plaudit.model.TinyLlamas;
import plaudit.text.BpeTrainer;
import plaudit.text.ByteLevelBpe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SteerCommandTest {
    private static final List<String> PROMPTS = List.of("how do i fix my bike chain?", "my tent leaks when it rains",
            "which lens for portraits?", "the soup is too salty, help", "my code runs slowly", "best way to learn chess?");

    @Test
    void writesSteerCsvWithOneRowPerMethod(@TempDir Path dir) throws Exception {
        Path ckpt = tinyCheckpoint(dir);
        Path prompts = dir.resolve("prompts.txt");
        Files.write(prompts, PROMPTS);
        assertEquals(0, PlauditCli.run("steer", "--checkpoint", ckpt.toString(), "--target", " try this",
                "--out", dir.resolve("out").toString(), "--prompts", prompts.toString(), "--steps", "3",
                "--gcg-steps", "1", "--soft-tokens", "2", "--prefix-tokens", "2", "--samples", "1", "--max-tokens", "4",
                "--gold"));
        List<String> lines = Files.readAllLines(dir.resolve("out/steer.csv"));
        assertEquals(3, lines.size(), "header + soft + discrete: " + lines);
        for (String col : List.of("method", "prefix", "p_target_before", "p_target_after", "factor", "transfer_before",
                "transfer_after", "perplexity_after", "gold_before", "gold_after", "kl")) {
            assertTrue(lines.get(0).contains(col), col + " in " + lines.get(0));
        }
        assertTrue(lines.get(1).startsWith("soft,after, try this,") && lines.get(2).startsWith("discrete,after, try this,"),
                "rows keep the target's leading space: " + lines);
    }

    @Test
    void badInputsAreUserErrors(@TempDir Path dir) throws Exception {
        Path ckpt = tinyCheckpoint(dir);
        Path prompts = dir.resolve("prompts.txt");
        Files.write(prompts, PROMPTS);
        String out = dir.resolve("out").toString();
        assertEquals(2, PlauditCli.run("steer", "--checkpoint", dir.resolve("missing").toString(), "--target", "x",
                "--out", out, "--prompts", prompts.toString()), "missing checkpoint");
        assertEquals(2, PlauditCli.run("steer", "--checkpoint", ckpt.toString(), "--target", "", "--out", out,
                "--prompts", prompts.toString()), "empty target");
        assertEquals(2, PlauditCli.run("steer", "--checkpoint", ckpt.toString(), "--target", "x", "--out", out,
                "--prompts", prompts.toString(), "--method", "magic"), "unknown method");
        assertEquals(2, PlauditCli.run("steer", "--checkpoint", ckpt.toString(), "--target", "x", "--out", out,
                "--prompts", prompts.toString(), "--position", "middle"), "unknown position");
        assertEquals(2, PlauditCli.run("steer", "--checkpoint", ckpt.toString(), "--target", "x", "--out", out,
                "--prompts", dir.resolve("nope.txt").toString()), "missing prompts file");
        assertEquals(2, PlauditCli.run("steer", "--checkpoint", ckpt.toString(), "--target", "x", "--out", out),
                "no prompts beside a bare checkpoint");
        assertEquals(2, PlauditCli.run("steer", "--checkpoint", ckpt.toString(), "--target", "x", "--out", out,
                "--prompts", prompts.toString(), "--steps", "0"), "zero steps");
        assertTrue(Files.notExists(dir.resolve("out/steer.csv")));
    }

    /** Soft prompts and GCG read GPT-2's embeddings: a Llama folder is refused in one line naming its model_type. */
    @Test
    void aLlamaFolderIsRefusedNamingItsModelType(@TempDir Path dir) throws Exception {
        Path llama = TinyLlamas.write(dir.resolve("llama"), TinyLlamas.llama(), 1, Safetensors.DType.F32, 1);
        Path prompts = dir.resolve("prompts.txt");
        Files.write(prompts, PROMPTS);
        CliRun.Result r = CliRun.run("steer", "--checkpoint", llama.toString(), "--target", "x", "--out",
                dir.resolve("out").toString(), "--prompts", prompts.toString());
        assertEquals(2, r.status());
        assertEquals("plaudit steer: " + llama + ": model_type llama; plaudit steer works on gpt2 checkpoints only (soft prompts"
                + " and GCG use GPT-2's embeddings); give a gpt2 checkpoint", r.err().strip());
    }

    /** A 1-layer GPT-2 with a 300-token BPE trained on the prompts, saved as a checkpoint. */
    private static Path tinyCheckpoint(Path dir) {
        ByteLevelBpe tok = BpeTrainer.train(PROMPTS, BpeTrainer.Config.of(300));
        GptConfig cfg = new GptConfig(1, 2, 16, 32, tok.vocabSize(), 0.0);
        Path ckpt = dir.resolve("ckpt");
        try (Gpt model = Gpt.init(cfg, Device.cpu(), 1)) {
            Checkpoint.writer().config(cfg).parameters(model.parameters()).tokenizer(tok).write(ckpt);
        }
        return ckpt;
    }
}
