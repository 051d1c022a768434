package plaudit.data;

import java.util.List;

/**
 * A scalar reward for a response to a prompt: the reward model, the synthetic forum's gold preference, or any
 * user function. Higher is better. Implementations must be thread-safe and return a finite number.
 */
@FunctionalInterface
public interface RewardFunction {
    double score(String prompt, String response);

    /** A short name used in tables and metric columns. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * Scores a batch. The default scores one pair at a time; a reward model overrides it with one batched forward
     * pass, and compositions pass whole batches down so that the reward model inside them stays batched.
     */
    default double[] scoreAll(List<String> prompts, List<String> responses) {
        if (prompts.size() != responses.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + responses.size() + " responses");
        }
        double[] out = new double[prompts.size()];
        for (int i = 0; i < out.length; i++) out[i] = score(prompts.get(i), responses.get(i));
        return out;
    }
}
