package plaudit.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code plaudit sample} against what broke it (issue 27): a huge {@code --num} (item 3: 20 GB and the kernel's
 * out-of-memory killer), NaN weights (item 10: garbage printed, exit 0) and a GPU that is not there.
 */
@Tag("adversarial")
class HostileSampleTest {
    /** Drawn as one batch, 10,000 samples already ran out of a 32 MB heap; streamed in batches, twice as many fit. */
    static final int NUM = 20_000;

    @TempDir
    Path tmp;

    @Test
    void hugeNumStreamsInA32MbHeap() throws Exception {
        Path out = tmp.resolve("samples.txt");
        Path err = tmp.resolve("err.txt");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-cp", System.getProperty("java.class.path")));
        for (String p : List.of("ai.djl.offline", "ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads")) {
            if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        }
        cmd.addAll(List.of(PlauditCli.class.getName(), "sample", "--checkpoint", TinyCheckpoints.sound(tmp.resolve("ckpt")).toString(), "--num",
                String.valueOf(NUM), "--max-tokens", "4", "--seed", "1"));
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "sample did not finish");
        assertEquals(0, p.exitValue(), () -> read(err));
        try (Stream<String> lines = Files.lines(out)) {
            assertEquals(NUM, lines.filter(l -> l.startsWith("--- sample ")).count());
        }
        assertTrue(read(err).contains("sample"), "progress goes to standard error: " + read(err));
    }

    @Test
    void nanWeightsAreRefusedNamingTheTensor() throws Exception {
        Path dir = TinyCheckpoints.withNan(tmp.resolve("nan"));
        CliRun.Result r = CliRun.run("sample", "--checkpoint", dir.toString(), "--max-tokens", "3");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(dir.resolve("model.safetensors") + ": holds NaN in tensor transformer.h.0.attn.c_attn.weight"
                + " (value 3); the checkpoint is damaged"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void aGpuThatIsNotThereIsRefusedNamingTheDevicesAvailable() throws Exception {
        CliRun.Result r = CliRun.run("sample", "--checkpoint", TinyCheckpoints.sound(tmp.resolve("ckpt")).toString(),
                "--device", "gpu:7");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("device gpu:7 requested") && r.err().contains("devices available: cpu"), r.err());
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
