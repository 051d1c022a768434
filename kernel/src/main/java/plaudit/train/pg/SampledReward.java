package plaudit.train.pg;

import java.util.List;

/**
 * A reward that can read the ids a rollout sampled, not only their decoded text: a reward model then scores exactly the
 * tokens the policy generated (decoding and encoding again need not give them back), as it was trained on ids.
 */
public interface SampledReward {

    /**
     * Scores of the responses {@code responseIds} (each ending with the stop id the policy drew, when it drew one) to
     * the prompts {@code promptIds}; {@code prompts} and {@code texts} are the same as text.
     */
    double[] scoreSampled(List<String> prompts, int[][] promptIds, int[][] responseIds, List<String> texts);
}
