package plaudit.train.pg;

import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/**
 * Whitening over the real (unpadded) entries of a batch: subtract the mean (optionally) and divide by the standard
 * deviation, {@code (x − mean) / sqrt(var + 1e-8)} with the unbiased variance (as torch.var) and the epsilon inside
 * the root, as TRL's {@code masked_whiten}. PPO whitens advantages per batch (keeping their mean when
 * {@code shiftMean} is false, as TRL does for rewards) and RLOO optionally its advantages, so that the scale of the
 * reward does not set the step size.
 */
public final class Whiten {
    private static final double EPSILON = 1e-8;

    private Whiten() {
    }

    /** The first {@code length[i]} entries of each row whitened; padding comes back as 0. */
    public static float[][] apply(float[][] x, int[] length, boolean shiftMean) {
        Moments m = Moments.of(each -> {
            for (int i = 0; i < x.length; i++) for (int t = 0; t < length[i]; t++) each.accept(x[i][t]);
        });
        if (m == null) return x;
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new float[x[i].length];
            for (int t = 0; t < length[i]; t++) out[i][t] = (float) m.whiten(x[i][t], shiftMean);
        }
        return out;
    }

    /** Every entry whitened, mean subtracted. */
    public static double[] apply(double[] x) {
        Moments m = Moments.of(each -> {
            for (double v : x) each.accept(v);
        });
        if (m == null) return x;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = m.whiten(x[i], true);
        return out;
    }

    /** The one formula both shapes use. */
    private record Moments(double mean, double inv) {
        /** Null without entries; {@code entries} feeds every real entry to its argument, twice (mean, then spread). */
        static Moments of(Consumer<DoubleConsumer> entries) {
            double[] sum = {0};
            long[] n = {0};
            entries.accept(v -> {
                sum[0] += v;
                n[0]++;
            });
            if (n[0] == 0) return null;
            double mean = sum[0] / n[0];
            double[] sq = {0};
            entries.accept(v -> sq[0] += (v - mean) * (v - mean));
            double var = n[0] > 1 ? sq[0] / (n[0] - 1) : 0; // unbiased, as torch.var
            return new Moments(mean, 1 / Math.sqrt(var + EPSILON));
        }

        double whiten(double v, boolean shiftMean) {
            double c = (v - mean) * inv;
            return shiftMean ? c : c + mean;
        }
    }
}
