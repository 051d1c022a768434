package plaudit.train.pg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class WhitenTest {
    @Test
    void whitenUsesOnlyRealTokens() {
        float[][] w = Whiten.apply(new float[][] {{1, 3, 100}, {5, 100, 100}}, new int[] {2, 1}, true);
        // real entries 1, 3, 5: mean 3, unbiased std 2
        assertArrayEquals(new float[] {-1f, 0f, 0f}, w[0], 1e-4f);
        assertArrayEquals(new float[] {1f, 0f, 0f}, w[1], 1e-4f);
        float[][] keep = Whiten.apply(new float[][] {{1, 3, 5}}, new int[] {3}, false);
        assertArrayEquals(new float[] {2f, 3f, 4f}, keep[0], 1e-4f);
    }

    /**
     * Hand-computed, where the epsilon's place shows: x = (0, 2·10⁻⁴), mean 10⁻⁴, unbiased variance
     * ((10⁻⁴)² + (10⁻⁴)²) / 1 = 2·10⁻⁸. Inside the root, sqrt(2·10⁻⁸ + 10⁻⁸) = sqrt(3)·10⁻⁴, so x whitens to
     * ±1/√3 (≈ 0.5774); with the epsilon added to the standard deviation instead it would be ±1/√2 (≈ 0.7071).
     */
    @Test
    void epsilonIsInsideTheSquareRoot() {
        double third = 1 / Math.sqrt(3);
        assertArrayEquals(new double[] {-third, third}, Whiten.apply(new double[] {0, 2e-4}), 1e-6);
        float[][] w = Whiten.apply(new float[][] {{0, 2e-4f, 7}}, new int[] {2}, true);
        assertArrayEquals(new float[] {(float) -third, (float) third, 0f}, w[0], 1e-4f);
    }

    @Test
    void everyEntryOfAVectorIsWhitened() {
        // mean 3, unbiased variance (4 + 0 + 4) / 2 = 4, sd 2 (10⁻⁸ is lost in the rounding)
        assertArrayEquals(new double[] {-1, 0, 1}, Whiten.apply(new double[] {1, 3, 5}), 1e-8);
        assertArrayEquals(new double[] {0}, Whiten.apply(new double[] {7}), 0.0, "one entry has no spread");
        assertArrayEquals(new double[0], Whiten.apply(new double[0]));
    }
}
