package plaudit.model;

import plaudit.UserError;

/**
 * How {@link Generator} draws tokens.
 *
 * @param maxNewTokens most tokens generated per prompt
 * @param temperature  softmax temperature; 0 = greedy (argmax)
 * @param topK         draw only among the k most likely tokens; 0 = off
 * @param topP         draw only from the smallest set of most likely tokens whose probability reaches p (nucleus
 *                     sampling, Holtzman et al. 2019); 1 = off
 * @param eosId        token that ends a response (kept in it); -1 = none, every row runs to {@code maxNewTokens}
 * @param seed         seed of the sampling streams: the same seed gives the same output
 */
public record SamplingConfig(int maxNewTokens, double temperature, int topK, double topP, int eosId, long seed) {

    public SamplingConfig {
        require(maxNewTokens > 0, "max_new_tokens", maxNewTokens, "a positive number of tokens");
        require(temperature >= 0 && Double.isFinite(temperature), "temperature", temperature,
                "a finite number >= 0 (0 = greedy)");
        require(topK >= 0, "top_k", topK, "a count >= 0 (0 = off)");
        require(topP > 0 && topP <= 1, "top_p", topP, "a probability in (0, 1] (1 = off)");
        require(eosId >= -1, "eos_id", eosId, "a token id, or -1 for none");
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) throw new UserError("sampling config: " + key + " = " + value + " is invalid; expected " + expected);
    }

    /** Plain sampling at temperature 1 (what PPO rollouts use): 64 new tokens, no top-k/top-p, no EOS, seed 0. */
    public static SamplingConfig defaults() {
        return new SamplingConfig(64, 1.0, 0, 1.0, -1, 0L);
    }

    public SamplingConfig withMaxNewTokens(int n) {
        return new SamplingConfig(n, temperature, topK, topP, eosId, seed);
    }

    public SamplingConfig withTemperature(double t) {
        return new SamplingConfig(maxNewTokens, t, topK, topP, eosId, seed);
    }

    public SamplingConfig withTopK(int k) {
        return new SamplingConfig(maxNewTokens, temperature, k, topP, eosId, seed);
    }

    public SamplingConfig withTopP(double p) {
        return new SamplingConfig(maxNewTokens, temperature, topK, p, eosId, seed);
    }

    public SamplingConfig withEosId(int id) {
        return new SamplingConfig(maxNewTokens, temperature, topK, topP, id, seed);
    }

    public SamplingConfig withSeed(long s) {
        return new SamplingConfig(maxNewTokens, temperature, topK, topP, eosId, s);
    }
}
