package plaudit.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MetricsLogTest {
    @Test
    void rowsReachTheCsvAsTheyArriveAndTheTable(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("metrics.csv");
        try (MetricsLog log = new MetricsLog("m", csv)) {
            log.log(row(1, 2.5, Double.NaN));
            // flushed before close: a killed run keeps its rows
            assertEquals(List.of("step,loss,val_loss", "1,2.50000,"), Files.readAllLines(csv));
            log.log(row(2, 2.0, 2.25));
            Table t = log.table();
            assertEquals(2, t.rowCount());
            assertEquals(2.25, t.doubleColumn("val_loss").get(1));
            Table s = log.summary();
            assertEquals(2.0, s.doubleColumn("last").get(1));
            assertEquals(2.5, s.doubleColumn("max").get(1));
        }
        assertEquals("2,2,2.25000", Files.readAllLines(csv).get(2)); // whole numbers print as integers
    }

    @Test
    void aNewColumnAfterTheFirstRowIsRefused() {
        try (MetricsLog log = new MetricsLog("m", null)) {
            log.log(row(1, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> log.log(Map.of("surprise", 1)));
        }
    }

    private static Map<String, Number> row(int step, double loss, double val) {
        Map<String, Number> r = new LinkedHashMap<>();
        r.put("step", step);
        r.put("loss", loss);
        r.put("val_loss", val);
        return r;
    }
}
