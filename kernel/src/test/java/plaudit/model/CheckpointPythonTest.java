package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The other direction of {@link SafetensorsFixtureTest}: a checkpoint written by Plaudit is read by the independent
 * Python-stdlib reader in {@code scripts/make-safetensors-fixture.py --verify}, which also checks the HF expectations
 * (format metadata, GPT2LMHeadModel config, GPT-2 names and shapes); the sums of every tensor must agree exactly.
 */
class CheckpointPythonTest {
    @TempDir
    Path tmp;

    @Test
    void pythonReaderSeesTheSameTensors() throws Exception {
        Path script = Path.of(System.getProperty("plaudit.repo.dir", "..")).resolve("scripts/make-safetensors-fixture.py");
        assumeTrue(Files.isRegularFile(script) && python3Available(), "python3 and the fixture script are needed");
        GptConfig cfg = new GptConfig(2, 2, 8, 6, 11, 0.1);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> params = HfGpt2Test.randomParameters(m, cfg, 5);
            for (Safetensors.DType type : new Safetensors.DType[] {Safetensors.DType.F32, Safetensors.DType.BF16}) {
                Path dir = tmp.resolve(type.name());
                Checkpoint.writer().config(cfg).parameters(params).weightsType(type).write(dir);
                JsonNode report = new ObjectMapper().readTree(run(script, dir));
                Map<String, NDArray> back = Checkpoint.read(dir).parameters(m);
                assertEquals(back.size(), report.size());
                back.forEach((name, a) -> {
                    JsonNode t = report.get(name);
                    assertEquals(type.name(), t.get("dtype").textValue(), name);
                    assertArrayEquals(a.getShape().getShape(), new ObjectMapper().convertValue(t.get("shape"), long[].class));
                    double sum = 0;
                    for (float v : a.toFloatArray()) sum += v;   // same left-to-right double sum as the script
                    assertEquals(sum, t.get("sum").doubleValue(), 0.0, name);
                });
            }
        }
    }

    private static boolean python3Available() {
        try {
            return new ProcessBuilder("python3", "--version").start().waitFor(20, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String run(Path script, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", script.toString(), "--verify", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "python verifier failed: " + out);
        return out;
    }
}
