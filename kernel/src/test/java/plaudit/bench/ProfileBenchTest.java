package plaudit.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.cli.CliRun.Result;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static plaudit.cli.CliRun.run;

/** {@code plaudit bench --suite profile} at tiny scale through the command line: every workload profiled. */
class ProfileBenchTest {
    @TempDir
    Path dir;

    @Test
    void profilesEveryWorkload() throws Exception {
        Result r = run("bench", "--suite", "profile", "--scale", "tiny", "--out", dir.toString());
        assertEquals(0, r.status(), r.err());
        List<String> csv = Files.readAllLines(dir.resolve("bench-profile.csv"));
        assertEquals("workload,unit,ms_per_unit,aten_calls_per_unit,aten_ops_per_unit,jvm_alloc_kb_per_unit,"
                + "rss_peak_rise_mb,rss_kept_mb,most_self_time", csv.get(0));
        assertEquals(1 + 5, csv.size(), String.join("\n", csv));
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",", -1);
            for (int i = 2; i <= 4; i++) assertTrue(Double.parseDouble(f[i]) > 0, "column " + i + " of: " + line);
            // a decode step is at least an embedding, one op per block and the output layer
            if (line.startsWith("generate")) assertTrue(Double.parseDouble(f[3]) >= 4, line);
        }
        assertTrue(csv.get(csv.size() - 1).contains("mm"), "a PPO step's time is in matmuls: " + csv.get(csv.size() - 1));
    }
}
