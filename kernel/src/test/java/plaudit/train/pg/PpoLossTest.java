package plaudit.train.pg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PpoLossTest {
    /**
     * Three tokens and one pad, ε = 0.2. log ratios ln 1.5, ln 0.5, 0 (ratios 1.5, 0.5, 1) and advantages 1, 1, −2:
     * token 0: max(−1.5, −1.2) = −1.2 (clipped); token 1: max(−0.5, −0.8) = −0.5; token 2: max(2, 2) = 2.
     * loss = (−1.2 − 0.5 + 2)/3 = 0.1; clipfrac = 1/3.
     */
    @Test
    void clippedSurrogateOnKnownNumbers() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray old = m.create(new float[] {0f, 0f, 0f, 0f});
            NDArray logp = m.create(new float[] {(float) Math.log(1.5), (float) Math.log(0.5), 0f, 5f});
            NDArray adv = m.create(new float[] {1f, 1f, -2f, 7f});
            NDArray mask = m.create(new float[] {1f, 1f, 1f, 0f});
            PpoLoss.Terms t = PpoLoss.policy(logp, old, adv, mask, 0.2);
            assertEquals(0.1, t.loss().getFloat(), 1e-6);
            assertEquals(1 / 3.0, t.clipFrac(), 1e-6);
            double lr0 = Math.log(1.5), lr1 = Math.log(0.5);
            assertEquals(0.5 * (lr0 * lr0 + lr1 * lr1) / 3, t.approxKl(), 1e-6);
            assertEquals((1.5 + 0.5 + 1) / 3, t.ratio(), 1e-6);
        }
    }

    /**
     * ε = 0.2. V_old = 0, V = (0.5, 0.1), R = (1, 1):
     * token 0: unclipped (0.5−1)² = 0.25, clipped (0.2−1)² = 0.64 → 0.64 (clipped branch);
     * token 1: unclipped 0.81, clipped (0.1−1)² = 0.81 → 0.81. loss = ½·(0.64 + 0.81)/2 = 0.3625.
     */
    @Test
    void clippedValueLossOnKnownNumbers() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            PpoLoss.Terms t = PpoLoss.value(m.create(new float[] {0.5f, 0.1f}), m.create(new float[] {0f, 0f}),
                    m.create(new float[] {1f, 1f}), m.create(new float[] {1f, 1f}), 0.2);
            assertEquals(0.3625, t.loss().getFloat(), 1e-6);
            assertEquals(0.5, t.clipFrac(), 1e-6);
        }
    }
}
