package plaudit.bench;

import org.junit.jupiter.api.Test;
import plaudit.bench.PytorchBench.Sizes;
import plaudit.bench.PytorchComparison.Workload;
import tech.tablesaw.api.Table;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comparison table from made-up timings, so its arithmetic is checked where PyTorch is not installed (the full
 * comparison in {@link PytorchBenchTest} then skips).
 */
class PytorchComparisonTest {
    private static Workload w(String name, String unit, boolean higherIsBetter, double plaudit, double pytorch) {
        return new Workload(name, unit, higherIsBetter, new double[] {plaudit, plaudit * 3, plaudit / 3},
                new double[] {pytorch / 3, pytorch, pytorch * 3}, 0.25);
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
        Table t = PytorchComparison.of(z, ws, new double[] {100, 100}, 1000, "load average 0.1");

        assertEquals(PytorchComparison.COLUMNS, t.columnNames());
        // 8 workloads, 7 of them with a fraction of the peak (all but matmul itself), 2 speed-ups, 3 memory rows
        assertEquals(8 + 7 + 2 + 3, t.rowCount());
        assertTrue(t.name().endsWith("matmul peak 600 GFLOP/s; load average 0.1"), t.name());
        assertRow(t, "train step B=4 T=128", 1000, 500, 2.0);
        assertRow(t, "ppo step B=8 prompt 64 response 16", 2, 1, 0.5); // seconds: lower is better
        // generate: 2 FLOPs per parameter per token, against the 600 GFLOP/s peak
        double n = z.cfg().parameterCount();
        double pf = 300 * 2.0 * n / 1e9 / 600, tf = 200 * 2.0 * n / 1e9 / 600;
        assertRow(t, "generate B=1 kv-cache · fraction of matmul peak", round(pf), round(tf), 1.5);
        assertRow(t, "generate B=1 kv-cache speed-up over no-cache", 3, 2, 1.5);
        assertRow(t, "generate B=16 kv-cache speed-up over no-cache", 2, 4, 0.5);
        assertTrue(t.stringColumn("workload").asList().contains("ppo peak RSS (4 models)"));
        int train = t.stringColumn("workload").asList().indexOf("train step B=4 T=128");
        assertEquals(333.3, t.doubleColumn("plaudit_min").get(train), 1e-9);
        assertEquals(3000, t.doubleColumn("plaudit_max").get(train), 1e-9);
        assertEquals(1500, t.doubleColumn("pytorch_max").get(train), 1e-9);
        assertEquals(0.25, t.doubleColumn("others_cores").get(train), 1e-9);
        assertEquals(3, t.doubleColumn("rounds").get(train), 1e-9);
        assertEquals("", t.stringColumn("target").get(train), "targets are for the full scale");
    }

    @Test
    void roundsOverlappingByMoreThanHalfTheNarrowerSpreadAreNoisy() {
        double[] pytorch = {1.3, 1.5, 1.4};
        assertFalse(w(new double[] {1.0, 1.1, 1.2}, pytorch).noisy(), "apart");
        assertFalse(w(new double[] {1.0, 1.3, 1.2}, pytorch).noisy(), "touching: overlap 0");
        assertFalse(w(new double[] {1.0, 1.35, 1.2}, pytorch).noisy(), "overlap 0.05 of the narrower 0.2");
        assertTrue(w(new double[] {1.0, 1.45, 1.2}, pytorch).noisy(), "overlap 0.15 of the narrower 0.2");
        assertTrue(w(new double[] {1.0, 2.0, 1.2}, pytorch).noisy(), "one range inside the other");
        assertTrue(w(new double[] {1.4, 1.4, 1.4}, pytorch).noisy(), "a single value inside the other range");
        assertFalse(w(new double[] {1.6, 1.6, 1.6}, pytorch).noisy(), "a single value outside");
    }

    private static Workload w(double[] plaudit, double[] pytorch) {
        return new Workload("x", "s", false, plaudit, pytorch, 0);
    }

    @Test
    void fullScaleRowsCarryTheIssueTargets() {
        Sizes z = Sizes.of(ModelBench.Scale.FULL, 5);
        List<Workload> ws = List.of(
                w("matmul 1024² fp32", "GFLOP/s", true, 100, 100),
                w("train step B=8 T=256", "tokens/s", true, 130, 100),  // 1.3: met
                w("generate B=1 kv-cache", "tokens/s", true, 90, 100),  // 0.9 < 1.0: not met
                w("generate B=1 no-cache", "tokens/s", true, 100, 100),
                w("generate B=16 kv-cache", "tokens/s", true, 120, 100), // exactly 1.2: met
                w("generate B=16 no-cache", "tokens/s", true, 100, 100),
                w("score ref+value+RM B=32 T=112", "tokens/s", true, 100, 100),
                w("ppo step B=32 prompt 64 response 48", "s", false, 30, 39)); // 1.3: met; 0.27 of the peak: not
        Table t = PytorchComparison.of(z, ws, new double[] {100, 100}, 1000, "");
        assertTarget(t, "train step B=8 T=256", "≥ 1.2", "met");
        assertTarget(t, "generate B=1 kv-cache", "≥ 1.0", "not met");
        assertTarget(t, "generate B=16 kv-cache", "≥ 1.2", "met");
        assertTarget(t, "score ref+value+RM B=32 T=112", "≥ 1.2", "not met");
        assertTarget(t, "ppo step B=32 prompt 64 response 48", "≥ 1.2", "met");
        assertTarget(t, "ppo step B=32 prompt 64 response 48 · fraction of matmul peak", "≥ 0.4 (plaudit)", "not met");
        assertTarget(t, "generate B=1 no-cache", "", "");
        assertTarget(t, "generate B=1 kv-cache speed-up over no-cache", "", "");
        assertTarget(t, "matmul 1024² fp32", "", "");
    }

    private static void assertTarget(Table t, String workload, String target, String met) {
        int row = t.stringColumn("workload").asList().indexOf(workload);
        assertTrue(row >= 0, workload + " missing from\n" + t);
        assertEquals(target, t.stringColumn("target").get(row), workload);
        assertEquals(met, t.stringColumn("met").get(row), workload);
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
