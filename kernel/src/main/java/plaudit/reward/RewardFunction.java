package plaudit.reward;

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
}
