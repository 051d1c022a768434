package plaudit.train.pg;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KlEstimatorTest {
    /** Monte Carlo means of k1 and k3 over samples from p match the exact KL(p ‖ q); k3 is never negative. */
    @Test
    void unbiasedAndK3NonNegative() {
        double[] p = {0.5, 0.3, 0.15, 0.05};
        double[] q = {0.25, 0.25, 0.25, 0.25};
        double exact = 0;
        for (int i = 0; i < p.length; i++) exact += p[i] * Math.log(p[i] / q[i]);
        SplittableRandom rng = new SplittableRandom(1);
        int n = 200_000;
        double k1 = 0, k3 = 0;
        boolean k1Negative = false;
        for (int s = 0; s < n; s++) {
            double u = rng.nextDouble();
            int x = 0;
            for (double c = p[0]; u > c && x < p.length - 1; c += p[++x]) { }
            double a = KlEstimator.K1.of(Math.log(p[x]), Math.log(q[x]));
            double b = KlEstimator.K3.of(Math.log(p[x]), Math.log(q[x]));
            k1Negative |= a < 0;
            assertTrue(b >= 0, "k3 per sample is non-negative");
            k1 += a;
            k3 += b;
        }
        assertTrue(k1Negative, "k1 can be negative for single samples");
        assertEquals(exact, k1 / n, 0.01);
        assertEquals(exact, k3 / n, 0.01);
    }

    @Test
    void zeroWhenTheModelsAgree() {
        assertEquals(0.0, KlEstimator.K1.of(-1.3, -1.3), 1e-15);
        assertEquals(0.0, KlEstimator.K3.of(-1.3, -1.3), 1e-15);
    }
}
