package plaudit.train.pg;

/**
 * Whitening over the real (unpadded) entries of a batch: subtract the mean (optionally) and divide by the standard
 * deviation. PPO whitens advantages per batch (keeping their mean when {@code shiftMean} is false, as TRL does for
 * rewards) so that the scale of the reward does not set the step size.
 */
public final class Whiten {
    private Whiten() {
    }

    public static float[][] apply(float[][] x, int[] length, boolean shiftMean) {
        double sum = 0, sq = 0;
        long n = 0;
        for (int i = 0; i < x.length; i++) {
            for (int t = 0; t < length[i]; t++) {
                sum += x[i][t];
                n++;
            }
        }
        if (n == 0) return x;
        double mean = sum / n;
        for (int i = 0; i < x.length; i++) {
            for (int t = 0; t < length[i]; t++) sq += (x[i][t] - mean) * (x[i][t] - mean);
        }
        double var = n > 1 ? sq / (n - 1) : 0; // unbiased, as torch.var
        double inv = 1 / Math.sqrt(var + 1e-8);
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new float[x[i].length];
            for (int t = 0; t < length[i]; t++) {
                double c = (x[i][t] - mean) * inv;
                out[i][t] = (float) (shiftMean ? c : c + mean);
            }
        }
        return out;
    }
}
