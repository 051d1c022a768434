package plaudit.train.rloo;

import plaudit.UserError;

/**
 * RLOO hyperparameters. Defaults: k = 4 samples per prompt (Ahmadian et al. 2024, who report k = 4 beating k = 2;
 * TRL's {@code rloo_k} defaults to 2), KL coefficient β = 0.05 in the sequence reward (TRL's {@code kl_coef}), one
 * pass over each rollout (vanilla REINFORCE with the leave-one-out baseline, as in Ahmadian et al.; more epochs give
 * TRL's PPO-clipped variant with clip 0.2), rollout temperature 1. Batch and learning rate are scaled for CPU-sized
 * models like PPO's.
 *
 * @param steps             iterations (rollout + optimisation)
 * @param prompts           distinct prompts per rollout; each is sampled {@code k} times
 * @param k                 samples per prompt (≥ 2)
 * @param epochs            passes over each rollout (1 = REINFORCE; more = clipped ratio, like TRL)
 * @param miniBatchSize     episodes per gradient step; must divide {@code prompts·k}
 * @param lr                AdamW learning rate (constant)
 * @param responseLength    most tokens per response
 * @param temperature       rollout sampling temperature
 * @param klCoef            β of {@code reward = score − β·KL(sequence)}
 * @param clipRange         ε of the clipped ratio (only matters once the policy has moved within a rollout)
 * @param normalizeAdvantages whiten the advantages per batch (TRL's {@code normalize_advantage}, off by default)
 * @param rewardClip        clip scores to ±this before use; ≤ 0 = off
 * @param missingEosPenalty subtracted from the score of a response without EOS; 0 = off
 * @param gradClip          max global gradient norm
 * @param sampleEvery       keep sample rows every this many steps (0 = none)
 * @param seed              seeds prompts, sampling and minibatch order (per step)
 */
public record RlooConfig(int steps, int prompts, int k, int epochs, int miniBatchSize, double lr, int responseLength,
                         double temperature, double klCoef, double clipRange, boolean normalizeAdvantages,
                         double rewardClip, double missingEosPenalty, double gradClip, int sampleEvery, long seed) {

    public RlooConfig {
        require(steps > 0, "steps", steps);
        require(prompts > 0, "prompts", prompts);
        require(k >= 2, "k", k + " (the leave-one-out baseline needs at least 2 samples per prompt)");
        require(epochs > 0, "epochs", epochs);
        require(miniBatchSize > 0 && (prompts * k) % miniBatchSize == 0, "mini_batch_size",
                miniBatchSize + " (must divide prompts·k = " + prompts * k + ")");
        require(lr > 0, "lr", lr);
        require(responseLength > 0, "response_length", responseLength);
        require(temperature > 0, "temperature", temperature);
        require(klCoef >= 0, "kl_coef", klCoef);
        require(clipRange > 0, "cliprange", clipRange);
    }

    private static void require(boolean ok, String key, Object value) {
        if (!ok) throw new UserError("rloo config: " + key + " = " + value + " is invalid");
    }

    public static RlooConfig defaults() {
        return new RlooConfig(100, 8, 4, 1, 16, 3e-5, 24, 1.0, 0.05, 0.2, false, 0.0, 0.0, 1.0, 10, 1);
    }

    /** Episodes per rollout. */
    public int batchSize() {
        return prompts * k;
    }
}
