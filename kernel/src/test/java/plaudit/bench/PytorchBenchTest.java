package plaudit.bench;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.cli.CliRun.Result;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static plaudit.cli.CliRun.run;

/**
 * {@code plaudit bench --against pytorch} through the real command line. The comparison itself needs Debian's
 * python3-torch (scripts/setup-bench.sh) and is skipped, with that message, where it is missing; the error paths
 * always run.
 */
class PytorchBenchTest {
    @TempDir
    Path dir;

    static boolean torchPresent() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) return false;
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void tinyComparisonWritesTheTable() throws Exception {
        if (!torchPresent()) {
            System.err.println("SKIPPED PytorchBenchTest: /usr/bin/python3 has no torch; run scripts/setup-bench.sh");
            Assumptions.abort("python3-torch missing: run scripts/setup-bench.sh to compare with PyTorch");
        }
        Result r = run("bench", "--against", "pytorch", "--scale", "tiny", "--rounds", "1", "--threads", "1",
                "--out", dir.toString());
        assertEquals(0, r.status(), r.err());
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        assertEquals(String.join(",", PytorchComparison.COLUMNS), csv.get(0));
        for (String workload : List.of("matmul", "train step", "generate B=1 kv-cache", "generate B=16 kv-cache",
                "score ref+value+RM", "ppo step", "ppo peak RSS")) {
            assertTrue(csv.stream().anyMatch(l -> l.startsWith(workload)), workload + " missing from\n" + csv);
        }
        int plaudit = PytorchComparison.COLUMNS.indexOf("plaudit"), ratio = PytorchComparison.COLUMNS.indexOf("ratio");
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",", -1);
            for (int i : new int[] {plaudit, plaudit + 3, ratio}) {
                double v = Double.parseDouble(f[i]);
                assertTrue(v > 0 && Double.isFinite(v), "not a positive figure in column " + i + " of: " + line);
            }
        }
        assertTrue(r.out().contains("workload") && r.out().contains("ratio"), "table not printed:\n" + r.out());
    }

    @Test
    void missingPythonNamesTheSetupScript() {
        Result r = run("bench", "--against", "pytorch", "--scale", "tiny", "--python", dir.resolve("no-python").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("scripts/setup-bench.sh"), r.err());
    }

    @Test
    void unknownAgainstIsAUserError() {
        Result r = run("bench", "--against", "tensorflow");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--against pytorch"), r.err());
    }

    @Test
    void gpuWithoutAGpuIsAClearError() {
        Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        Result r = run("bench", "--against", "pytorch", "--device", "gpu", "--out", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no CUDA GPU"), r.err());
    }
}
