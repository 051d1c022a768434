package plaudit.train.ppo;

import org.junit.jupiter.api.Test;
import plaudit.train.pg.KlController;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GaeTest {
    /**
     * Hand-computed, γ = 1, λ = 0.5, three real tokens and one pad:
     * r = (0, 0, 1), V = (0.5, 0.25, 0.75).
     * δ2 = 1 + 0 − 0.75 = 0.25;            A2 = 0.25
     * δ1 = 0 + 0.75 − 0.25 = 0.5;          A1 = 0.5 + 0.5·0.25 = 0.625
     * δ0 = 0 + 0.25 − 0.5 = −0.25;         A0 = −0.25 + 0.5·0.625 = 0.0625
     * returns = A + V = (0.5625, 0.875, 1.0)
     */
    @Test
    void matchesHandComputedExample() {
        Gae.Result r = Gae.compute(new float[][] {{0, 0, 1, 9}}, new float[][] {{0.5f, 0.25f, 0.75f, 9}},
                new int[] {3}, 1.0, 0.5);
        assertArrayEquals(new float[] {0.0625f, 0.625f, 0.25f, 0f}, r.advantages()[0], 1e-6f);
        assertArrayEquals(new float[] {0.5625f, 0.875f, 1.0f, 0f}, r.returns()[0], 1e-6f);
    }

    @Test
    void lambdaOneGivesMonteCarloReturnsAndGammaDiscounts() {
        Gae.Result r = Gae.compute(new float[][] {{1, 2, 3}}, new float[][] {{0, 0, 0}}, new int[] {3}, 0.5, 1.0);
        // R2 = 3, R1 = 2 + 0.5·3 = 3.5, R0 = 1 + 0.5·3.5 = 2.75
        assertArrayEquals(new float[] {2.75f, 3.5f, 3f}, r.returns()[0], 1e-6f);
        assertEquals(2.75f, r.advantages()[0][0], 1e-6f);
    }

    @Test
    void adaptiveKlFollowsZieglerUpdate() {
        KlController c = KlController.adaptive(0.1, 6.0, 10_000);
        c.update(12.0, 512);              // KL twice the target: error clipped to +0.2
        assertEquals(0.1 * (1 + 0.2 * 512 / 10_000.0), c.value(), 1e-12);
        double before = c.value();
        c.update(5.4, 1000);              // error −0.1
        assertEquals(before * (1 - 0.1 * 1000 / 10_000.0), c.value(), 1e-12);
        KlController f = KlController.fixed(0.05);
        f.update(100, 1000);
        assertEquals(0.05, f.value());
    }
}
