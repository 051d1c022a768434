package plaudit.train.rloo;

/**
 * RLOO's baseline (Kool et al. 2019; Ahmadian et al. 2024): with k samples of the same prompt, the advantage of sample
 * i is its reward minus the mean reward of the other k − 1, {@code A_i = r_i − (Σ_j r_j − r_i)/(k − 1)} — an unbiased
 * baseline that needs no value network.
 */
public final class LeaveOneOut {
    private LeaveOneOut() {
    }

    /** @param rewards prompt-major groups of {@code k} (all samples of the first prompt, then the next) */
    public static double[] advantages(double[] rewards, int k) {
        if (k < 2 || rewards.length % k != 0) {
            throw new IllegalArgumentException("leave-one-out needs groups of k ≥ 2; got k = " + k + " for "
                    + rewards.length + " rewards");
        }
        double[] adv = new double[rewards.length];
        for (int g = 0; g < rewards.length; g += k) {
            double sum = 0;
            for (int j = g; j < g + k; j++) sum += rewards[j];
            for (int j = g; j < g + k; j++) adv[j] = rewards[j] - (sum - rewards[j]) / (k - 1);
        }
        return adv;
    }
}
