package plaudit.eval;

/**
 * Best-of-n selection: of n responses to a prompt, keep the one the reward likes best (the first of equals). Every n
 * uses disjoint groups of the same {@code maxN} responses per prompt, so one draw serves every n.
 */
public final class BestOfN {
    private BestOfN() {
    }

    /** Mean gold and mean reward of the selected responses, and the analytic KL of best-of-n from the sampler. */
    public record Point(int n, double kl, double gold, double proxy) {
    }

    /**
     * @param reward per response, prompt-major: {@code maxN} responses to each prompt
     * @param gold   the same responses' gold scores, or null (gold is then NaN)
     */
    public static Point select(int n, int maxN, double[] reward, double[] gold) {
        if (n < 1 || n > maxN || reward.length % maxN != 0 || (gold != null && gold.length != reward.length)) {
            throw new IllegalArgumentException("best-of-" + n + " needs scores of " + maxN + " responses per prompt, got "
                    + reward.length + (gold == null ? "" : " and " + gold.length));
        }
        double gs = 0, ps = 0;
        int groups = 0;
        for (int q = 0; q < reward.length / maxN; q++) {
            for (int start = 0; start + n <= maxN; start += n) {
                int best = -1;
                for (int k = start; k < start + n; k++) {
                    int idx = q * maxN + k;
                    if (best < 0 || reward[idx] > reward[best]) best = idx;
                }
                gs += gold == null ? Double.NaN : gold[best];
                ps += reward[best];
                groups++;
            }
        }
        return new Point(n, kl(n), gs / groups, ps / groups);
    }

    /** KL(best-of-n ‖ sampler) = log n − (n − 1)/n (Stiennon et al. 2020, appendix). */
    public static double kl(int n) {
        return Math.log(n) - (n - 1.0) / n;
    }
}
