package plaudit.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The fused kernel against GPT-2's formula evaluated in double: {@code 0.5·x·(1 + tanh(u))},
 * {@code u = √(2/π)·(x + 0.044715·x³)}, and its derivative {@code 0.5·(1 + tanh u) + 0.5·x·sech²(u)·u'}.
 */
class TanhGeluTest {
    private static final double C = Math.sqrt(2 / Math.PI);
    private static final float[] X = {-8f, -3.5f, -1f, -0.25f, 0f, 1e-3f, 0.5f, 1f, 2.25f, 6f, 30f};

    private static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x * x * x)));
    }

    private static double derivative(double x) {
        double t = Math.tanh(C * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * 0.044715 * x * x);
    }

    @Test
    void valuesAndGradientsAreGpt2sTanhGelu() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(X);
            x.setRequiresGradient(true);
            float[] y;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray out = TanhGelu.apply(x);
                assertSame(x.getManager(), out.getManager(), "the result belongs to the input's manager");
                y = out.toFloatArray();
                gc.backward(out.sum());
            }
            float[] g = x.getGradient().toFloatArray();
            for (int i = 0; i < X.length; i++) {
                assertEquals(gelu(X[i]), y[i], 1e-6 * Math.max(1, Math.abs(X[i])), "gelu(" + X[i] + ")");
                assertEquals(derivative(X[i]), g[i], 1e-5, "gelu'(" + X[i] + ")");
            }
        }
    }

    /** Without gradients the result is an ordinary tensor: later in-place updates work (inference tensors refuse them). */
    @Test
    void withoutGradientsTheResultCanBeUpdatedInPlace() {
        try (NDManager m = NDManager.newBaseManager(); NoGrad ignored = NoGrad.enter()) {
            NDArray y = TanhGelu.apply(m.create(X));
            assertDoesNotThrow(() -> y.addi(1f));
            assertEquals(gelu(1) + 1, y.toFloatArray()[7], 1e-6);
        }
    }
}
