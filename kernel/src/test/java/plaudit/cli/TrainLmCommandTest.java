package plaudit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.model.Checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainLmCommandTest {

    @Test
    void trainsCheckpointsAndSamples(@TempDir Path dir) throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) sb.append("the cat sat on the mat number ").append(i % 7).append(".\n<|endoftext|>\n");
        Files.writeString(corpus, sb.toString());
        Path out = dir.resolve("run");
        assertEquals(0, PlauditCli.run("train-lm", "--corpus", corpus.toString(), "--out", out.toString(),
                "--vocab-size", "300", "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16",
                "--steps", "4", "--batch", "2", "--eval-every", "2", "--eval-batches", "1"));
        assertEquals(5, Files.readAllLines(out.resolve("metrics.csv")).size()); // header + 4 steps
        Checkpoint ckpt = Checkpoint.read(out.resolve("checkpoint"));
        assertEquals(16, ckpt.config().nEmbd());
        assertTrue(ckpt.tensorNames().contains("optimizer"));

        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, PlauditCli.run("sample", "--checkpoint", out.resolve("checkpoint").toString(),
                    "--prompt", "the cat", "--max-tokens", "5", "--seed", "3"));
        } finally {
            System.setOut(old);
        }
        assertTrue(buf.toString(StandardCharsets.UTF_8).startsWith("the cat"));
    }

    @Test
    void missingCorpusIsAOneLineError(@TempDir Path dir) {
        assertEquals(2, PlauditCli.run("train-lm", "--corpus", dir.resolve("nope.txt").toString(),
                "--out", dir.resolve("o").toString()));
    }
}
