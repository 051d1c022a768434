package plaudit.train.ppo;

/**
 * Generalised Advantage Estimation (Schulman et al. 2016) over response tokens.
 *
 * <p>Rows are responses, columns are token positions; {@code length[i]} tokens of row i are real (the rest is
 * padding after EOS and ignored). The episode ends after the last real token, so the value after it is 0:
 * {@code δ_t = r_t + γ·V_{t+1} − V_t}, {@code A_t = δ_t + γλ·A_{t+1}}, returns {@code R_t = A_t + V_t}.
 */
public final class Gae {
    private Gae() {
    }

    /** Advantages and returns, each [rows][cols]; padded positions are 0. */
    public record Result(float[][] advantages, float[][] returns) {
    }

    public static Result compute(float[][] rewards, float[][] values, int[] length, double gamma, double lambda) {
        int rows = rewards.length;
        float[][] adv = new float[rows][];
        float[][] ret = new float[rows][];
        for (int i = 0; i < rows; i++) {
            int cols = rewards[i].length;
            adv[i] = new float[cols];
            ret[i] = new float[cols];
            double next = 0, lastGae = 0;
            for (int t = length[i] - 1; t >= 0; t--) {
                double delta = rewards[i][t] + gamma * next - values[i][t];
                lastGae = delta + gamma * lambda * lastGae;
                adv[i][t] = (float) lastGae;
                ret[i][t] = (float) (lastGae + values[i][t]);
                next = values[i][t];
            }
        }
        return new Result(adv, ret);
    }
}
