package plaudit.train.pg;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The columns of a metrics row that PPO and RLOO share (TRL names), so that their logs read alike: the objectives
 * open the row, what the rollout measured follows the trainer's own update statistics.
 */
public final class StepMetrics {
    private StepMetrics() {
    }

    /**
     * A new row: {@code step}, {@code episode}, then {@code objective/kl, entropy, non_score_reward, rlhf_reward,
     * scores, gold}.
     *
     * @param step           steps done, this one included
     * @param meanKl         mean KL(π ‖ π_ref) of a response
     * @param nonScoreReward mean of the reward's KL part (−β·KL)
     * @param rlhfReward     mean of the reward the policy was trained on: score and KL part
     */
    public static Map<String, Number> objectives(int step, Rollout.Episodes episodes, double meanKl,
                                                 double nonScoreReward, double rlhfReward) {
        Map<String, Number> row = new LinkedHashMap<>();
        row.put("step", step);
        row.put("episode", (long) step * episodes.size());
        row.put("objective/kl", meanKl);
        row.put("objective/entropy", episodes.entropy());
        row.put("objective/non_score_reward", nonScoreReward);
        row.put("objective/rlhf_reward", rlhfReward);
        row.put("objective/scores", episodes.meanScore());
        row.put("objective/gold", episodes.goldMean());
        return row;
    }

    /** Appends {@code val/num_eos_tokens, response_length, kl_coef, lr, time/rollout, time/score}. */
    public static void rollout(Map<String, Number> row, Rollout.Episodes episodes, double klCoef, double lr) {
        row.put("val/num_eos_tokens", episodes.eosCount());
        row.put("response_length", Arrays.stream(episodes.length()).average().orElse(0));
        row.put("kl_coef", klCoef);
        row.put("lr", lr);
        row.put("time/rollout", episodes.rolloutSeconds());
        row.put("time/score", episodes.scoreSeconds());
    }
}
