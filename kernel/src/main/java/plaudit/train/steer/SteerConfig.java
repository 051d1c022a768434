package plaudit.train.steer;

import plaudit.UserError;

/**
 * Settings of goal steering.
 *
 * @param softTokens       k, the soft prompt's number of trained vectors
 * @param steps            Adam steps on the soft prompt
 * @param lr               Adam's learning rate for the soft prompt
 * @param prefixTokens     length of the discrete (readable) prefix that greedy coordinate gradient searches
 * @param gcgSteps         greedy coordinate gradient iterations
 * @param gcgTopK          candidate tokens per prefix position (the most negative one-hot gradients)
 * @param gcgCandidates    single-token swaps evaluated per iteration
 * @param batchSize        training prompts per step (all of them when fewer)
 * @param samplesPerPrompt steered samples per held-out prompt, for perplexity, KL and gold
 * @param maxNewTokens     most tokens per sample
 * @param seed             seed of initialisation, batches, candidates and sampling
 * @param position         where the prefix goes: before the prompt (a prefix proper) or after it, before the reply
 */
public record SteerConfig(int softTokens, int steps, double lr, int prefixTokens, int gcgSteps, int gcgTopK,
                          int gcgCandidates, int batchSize, int samplesPerPrompt, int maxNewTokens, long seed,
                          SoftPrefix.Position position) {

    public SteerConfig {
        require(softTokens > 0, "soft_tokens", softTokens, "a positive number of vectors");
        require(steps > 0, "steps", steps, "a positive number of Adam steps");
        require(lr > 0 && Double.isFinite(lr), "lr", lr, "a finite learning rate > 0");
        require(prefixTokens > 0, "prefix_tokens", prefixTokens, "a positive number of tokens");
        require(gcgSteps > 0, "gcg_steps", gcgSteps, "a positive number of iterations");
        require(gcgTopK > 0, "gcg_top_k", gcgTopK, "a positive number of tokens");
        require(gcgCandidates > 0, "gcg_candidates", gcgCandidates, "a positive number of swaps");
        require(batchSize > 0, "batch_size", batchSize, "a positive number of prompts");
        require(samplesPerPrompt > 0, "samples_per_prompt", samplesPerPrompt, "a positive number of samples");
        require(maxNewTokens > 0, "max_new_tokens", maxNewTokens, "a positive number of tokens");
        require(position != null, "position", position, "before or after");
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) throw new UserError("steer config: " + key + " = " + value + " is invalid; expected " + expected);
    }

    /**
     * 8 soft vectors for 100 steps at lr 0.01; 8 prefix tokens for 30 GCG iterations of 64 swaps among the top 32;
     * after the prompt, right before the reply: in front of a ~50-token prompt the models Plaudit trains on a CPU
     * barely attend to a prefix (README, "Goal steering": 1.5× there against 8.5× after the prompt, tiny model).
     */
    public static SteerConfig defaults() {
        return new SteerConfig(8, 100, 0.01, 8, 30, 32, 64, 16, 2, 24, 1L, SoftPrefix.Position.AFTER);
    }

    public SteerConfig withSoftTokens(int k) {
        return new SteerConfig(k, steps, lr, prefixTokens, gcgSteps, gcgTopK, gcgCandidates, batchSize, samplesPerPrompt, maxNewTokens, seed, position);
    }

    public SteerConfig withSteps(int n) {
        return new SteerConfig(softTokens, n, lr, prefixTokens, gcgSteps, gcgTopK, gcgCandidates, batchSize, samplesPerPrompt, maxNewTokens, seed, position);
    }

    public SteerConfig withLr(double x) {
        return new SteerConfig(softTokens, steps, x, prefixTokens, gcgSteps, gcgTopK, gcgCandidates, batchSize, samplesPerPrompt, maxNewTokens, seed, position);
    }

    public SteerConfig withPrefixTokens(int k) {
        return new SteerConfig(softTokens, steps, lr, k, gcgSteps, gcgTopK, gcgCandidates, batchSize, samplesPerPrompt, maxNewTokens, seed, position);
    }

    public SteerConfig withGcgSteps(int n) {
        return new SteerConfig(softTokens, steps, lr, prefixTokens, n, gcgTopK, gcgCandidates, batchSize, samplesPerPrompt, maxNewTokens, seed, position);
    }

    public SteerConfig withPosition(SoftPrefix.Position p) {
        return new SteerConfig(softTokens, steps, lr, prefixTokens, gcgSteps, gcgTopK, gcgCandidates, batchSize, samplesPerPrompt, maxNewTokens, seed, p);
    }

    public SteerConfig withSeed(long s) {
        return new SteerConfig(softTokens, steps, lr, prefixTokens, gcgSteps, gcgTopK, gcgCandidates, batchSize, samplesPerPrompt, maxNewTokens, s, position);
    }
}
