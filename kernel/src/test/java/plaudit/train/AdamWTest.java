package plaudit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AdamWTest {

    /** Two AdamW steps on f(w) = sum(w * c), checked against the update rule computed by hand in doubles. */
    @Test
    void updateMatchesHandComputedRule() {
        try (NDManager root = NDManager.newBaseManager("PyTorch")) {
            NDArray w = root.create(new float[] {1f, -2f, 0.5f, 3f}, new Shape(2, 2)); // 2-D: decays
            NDArray b = root.create(new float[] {0.25f, -0.75f});                       // 1-D: no decay
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("w", w);
            params.put("b", b);
            float[] cw = {0.5f, -1f, 2f, 0.1f}, cb = {3f, -0.2f};
            double lr = 0.01, wd = 0.1, b1 = 0.9, b2 = 0.95, eps = 1e-8;
            AdamW opt = new AdamW(params, b1, b2, eps, wd);

            double[] ew = {1, -2, 0.5, 3}, eb = {0.25, -0.75};
            double[] mw = new double[4], vw = new double[4], mb = new double[2], vb = new double[2];
            for (int step = 1; step <= 2; step++) {
                try (NDManager s = root.newSubManager()) {
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray cwArr = s.create(cw, new Shape(2, 2));
                        NDArray cbArr = s.create(cb);
                        NDArray loss = cwArr.mul(w).sum().add(cbArr.mul(b).sum());
                        gc.backward(loss);
                    }
                    opt.update(s, lr);
                }
                expected(ew, cw, mw, vw, step, lr, wd, b1, b2, eps);
                expected(eb, cb, mb, vb, step, lr, 0, b1, b2, eps);
            }
            assertArrayEquals(toFloat(ew), w.toFloatArray(), 1e-6f);
            assertArrayEquals(toFloat(eb), b.toFloatArray(), 1e-6f);
            assertEquals(2, opt.step());
        }
    }

    private static void expected(double[] w, float[] g, double[] m, double[] v, int t, double lr, double wd,
                                 double b1, double b2, double eps) {
        for (int i = 0; i < w.length; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            w[i] *= 1 - lr * wd;
            double mh = m[i] / (1 - Math.pow(b1, t)), vh = v[i] / (1 - Math.pow(b2, t));
            w[i] -= lr * mh / (Math.sqrt(vh) + eps);
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    @Test
    void clipScalesToMaxNormAndReportsTheNormBefore() {
        Clipped c = clip(new float[] {3f, 4f}, 1.0); // norm 5
        assertEquals(5.0, c.norm(), 1e-5);
        assertArrayEquals(new float[] {0.6f, 0.8f}, c.grad(), 1e-5f);
    }

    /** Gradients of 3e20 and 4e20 are finite, but their float32 squares are not: the norm must still be 5e20. */
    @Test
    void clipSurvivesAFiniteGradientWhoseSquaresOverflowFloat() {
        Clipped c = clip(new float[] {3e20f, 4e20f}, 1.0);
        assertEquals(5e20, c.norm(), 5e20 * 1e-5);
        assertArrayEquals(new float[] {0.6f, 0.8f}, c.grad(), 1e-5f);
    }

    @Test
    void clipReportsAnInfiniteGradientAsAnInfiniteNorm() {
        assertEquals(Double.POSITIVE_INFINITY, clip(new float[] {Float.POSITIVE_INFINITY, 1f}, 1.0).norm());
    }

    private record Clipped(double norm, float[] grad) {
    }

    /** clipGradNorm on one parameter whose gradient is {@code grad} (the loss is sum(grad * w)). */
    private static Clipped clip(float[] grad, double maxNorm) {
        try (NDManager root = NDManager.newBaseManager("PyTorch")) {
            NDArray w = root.zeros(new Shape(grad.length));
            w.setRequiresGradient(true);
            AdamW opt = AdamW.of(Map.of("w", w), 0);
            try (NDManager s = root.newSubManager()) {
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    gc.backward(s.create(grad).mul(w).sum());
                }
                double norm = opt.clipGradNorm(s, maxNorm);
                NDArray g = w.getGradient();
                g.attach(s);
                return new Clipped(norm, g.toFloatArray());
            }
        }
    }

    @Test
    void nativeMemoryStaysFlatAcrossSteps() {
        try (NDManager root = NDManager.newBaseManager("PyTorch")) {
            NDArray w = root.randomNormal(new Shape(8, 8));
            w.setRequiresGradient(true);
            AdamW opt = AdamW.of(Map.of("w", w), 0.1);
            int before = -1;
            for (int step = 0; step < 30; step++) {
                try (NDManager s = root.newSubManager()) {
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        gc.backward(s.ones(w.getShape()).mul(w).mul(w).sum()); // step-scoped receiver
                    }
                    opt.clipGradNorm(s, 1.0);
                    opt.update(s, 1e-3);
                }
                if (step == 2) before = root.getManagedArrays().size();
            }
            assertEquals(before, root.getManagedArrays().size(), "arrays leaked into the parameter manager");
        }
    }
}
