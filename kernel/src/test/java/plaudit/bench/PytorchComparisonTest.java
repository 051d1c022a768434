package plaudit.bench;

import org.junit.jupiter.api.Test;
import plaudit.bench.PytorchBench.Sizes;
import plaudit.bench.PytorchComparison.Workload;
import tech.tablesaw.api.Table;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comparison table from made-up timings, so its arithmetic is checked where PyTorch is not installed (the full
 * comparison in {@link PytorchBenchTest} then skips).
 */
class PytorchComparisonTest {
    private static Workload w(String name, String unit, boolean higherIsBetter, double plaudit, double pytorch) {
        return new Workload(name, unit, higherIsBetter, new double[] {plaudit, plaudit * 3, plaudit / 3},
                new double[] {pytorch / 3, pytorch, pytorch * 3});
    }

    @Test
    void mediansRatiosPeakFractionsAndSpeedUps() {
        Sizes z = Sizes.of(ModelBench.Scale.TINY, 3);
        List<Workload> ws = List.of(
                w("matmul 512² fp32", "GFLOP/s", true, 100, 200), // best round: pytorch 600 = the peak
                w("train step B=4 T=128", "tokens/s", true, 1000, 500),
                w("generate B=1 kv-cache", "tokens/s", true, 300, 200),
                w("generate B=1 no-cache", "tokens/s", true, 100, 100),
                w("generate B=16 kv-cache", "tokens/s", true, 400, 400),
                w("generate B=16 no-cache", "tokens/s", true, 200, 100),
                w("score ref+value+RM B=8 T=80", "tokens/s", true, 800, 800),
                w("ppo step B=8 prompt 64 response 16", "s", false, 2, 1));
        Table t = PytorchComparison.of(z, ws, new double[] {100, 100}, 1000);

        assertEquals(List.of("workload", "plaudit", "pytorch", "unit", "ratio"), t.columnNames());
        // 8 workloads, 7 of them with a fraction of the peak (all but matmul itself), 2 speed-ups, 3 memory rows
        assertEquals(8 + 7 + 2 + 3, t.rowCount());
        assertTrue(t.name().endsWith("matmul peak 600 GFLOP/s"), t.name());
        assertRow(t, "train step B=4 T=128", 1000, 500, 2.0);
        assertRow(t, "ppo step B=8 prompt 64 response 16", 2, 1, 0.5); // seconds: lower is better
        // generate: 2 FLOPs per parameter per token, against the 600 GFLOP/s peak
        double n = z.cfg().parameterCount();
        double pf = 300 * 2.0 * n / 1e9 / 600, tf = 200 * 2.0 * n / 1e9 / 600;
        assertRow(t, "generate B=1 kv-cache · fraction of matmul peak", round(pf), round(tf), 1.5);
        assertRow(t, "generate B=1 kv-cache speed-up over no-cache", 3, 2, 1.5);
        assertRow(t, "generate B=16 kv-cache speed-up over no-cache", 2, 4, 0.5);
        assertTrue(t.stringColumn("workload").asList().contains("ppo peak RSS (4 models)"));
    }

    private static double round(double x) {
        return Math.abs(x) >= 100 ? Math.round(x * 10) / 10.0 : Math.round(x * 10000) / 10000.0;
    }

    private static void assertRow(Table t, String workload, double plaudit, double pytorch, double ratio) {
        int row = t.stringColumn("workload").asList().indexOf(workload);
        assertTrue(row >= 0, workload + " missing from\n" + t);
        assertEquals(plaudit, t.doubleColumn("plaudit").get(row), 1e-9, workload);
        assertEquals(pytorch, t.doubleColumn("pytorch").get(row), 1e-9, workload);
        assertEquals(ratio, t.doubleColumn("ratio").get(row), 1e-9, workload);
    }
}
