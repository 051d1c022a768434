package plaudit.sim;

import java.util.SplittableRandom;

/** Random draws built on {@link SplittableRandom} and {@link StrictMath}, so a seed gives the same forum everywhere. */
final class Draw {
    private Draw() {}

    static double gaussian(SplittableRandom rng) {
        double u = 1.0 - rng.nextDouble(); // (0, 1]
        return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * StrictMath.PI * rng.nextDouble());
    }

    static double exponential(SplittableRandom rng, double mean) {
        return -mean * StrictMath.log(1.0 - rng.nextDouble());
    }

    /** Standard logistic noise: the difference of two Gumbels, which turns a threshold rule into Bradley–Terry. */
    static double logistic(SplittableRandom rng) {
        double u = rng.nextDouble();
        while (u == 0) u = rng.nextDouble();
        return StrictMath.log(u / (1 - u));
    }

    /** A seed for item {@code i} of a run with seed {@code seed} (SplitMix64 finaliser), independent across items. */
    static long mix(long seed, long i) {
        long z = seed * 0x9E3779B97F4A7C15L + i + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
