package plaudit.train;

import java.util.SplittableRandom;

/** Seeded random orders for minibatches. */
public final class Permutation {
    private Permutation() {
    }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates), reproducible from the stream's seed. */
    public static int[] of(int n, SplittableRandom rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
