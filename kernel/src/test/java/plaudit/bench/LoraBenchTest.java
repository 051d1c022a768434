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

/**
 * {@code plaudit bench --suite lora --scale tiny} through the real command line, both modes in their child JVMs: the
 * table's columns, finite figures, and the base copies each mode holds (counted from the models, so a LoRA view that
 * copied its base, or a full run that shared one, shows here).
 */
class LoraBenchTest {
    @TempDir
    Path dir;

    @Test
    void tinyRunWritesBothModesWithTheirCopies() throws Exception {
        Result r = run("bench", "--suite", "lora", "--scale", "tiny", "--rounds", "2", "--out", dir.toString());
        assertEquals(0, r.status(), r.err());
        List<String> csv = Files.readAllLines(dir.resolve("bench-lora.csv"));
        assertEquals("mode,parameters trained,step s,peak RSS MiB,base copies,baseline MiB,weights MiB,grads+AdamW MiB,"
                + "activations MiB,estimate MiB,RSS/estimate,speed-up,1 copy,RSS <= 1.3x,speed-up >= 1.5x", csv.get(0));
        assertEquals(3, csv.size(), String.join("\n", csv));
        String[] full = csv.get(1).split(","), lora = csv.get(2).split(",");
        assertEquals("full", full[0]);
        assertEquals("lora", lora[0]);
        for (String[] row : List.of(full, lora)) {
            for (int i = 1; i <= 11; i++) {
                double v = Double.parseDouble(row[i]);
                // the activations' rise is within the resident set's noise on a tiny model; every other figure is positive
                assertTrue(Double.isFinite(v) && (v > 0 || i == 8), "column " + i + " of " + String.join(",", row));
            }
        }
        assertEquals(3.0, Double.parseDouble(full[4]), 0.0);
        assertEquals(1.0, Double.parseDouble(lora[4]), 0.0);
        assertEquals("met", lora[12]);
        assertTrue(lora[13].matches("met|NOT met") && lora[14].matches("met|NOT met"), csv.get(2));
        // rank 8 on the seven projections of 2 layers (hidden 64, 32 for k/v, MLP 128) plus the value head
        long adapters = 2 * 8L * ((64 + 64) + (64 + 32) + (64 + 32) + (64 + 64) + 3 * (64 + 128));
        assertEquals(2 * adapters + 64 + 1, Double.parseDouble(lora[1]), 0.0);
        assertTrue(r.out().contains("speed-up"), "table not printed:\n" + r.out());
    }
}
