package plaudit.bench;

import plaudit.model.GptConfig;

/**
 * What one PPO step with four GPT-2 models of one config must hold in memory, the yardstick of the memory target:
 * the four models' weights (policy, reference, value, reward model), gradients and AdamW's two moments of the two
 * trained ones (policy and value), and the activations one minibatch's policy and value forwards keep for backward.
 */
final class PpoMemory {
    private PpoMemory() {
    }

    /**
     * @param miniBatch rows of one minibatch
     * @param seq       prompt + response tokens of a row
     * @param response  response tokens of a row (the positions whose logits are kept)
     * @return mebibytes
     */
    static double mustHoldMb(GptConfig c, long miniBatch, long seq, long response) {
        double params = c.parameterCount();
        double stateBytes = 4.0 * (4 * params + 2 * params /* grads */ + 2 * 2 * params /* m, v */);
        // per layer ~17 B·T·C floats (Korthikanti et al. 2022, fp32) + attention B·nh·T² twice; logits over the response
        double act = 2 * 4.0 * (c.nLayer() * (17.0 * miniBatch * seq * c.nEmbd() + 2.0 * miniBatch * c.nHead() * seq * seq)
                + 3.0 * miniBatch * response * c.vocabSize());
        return (stateBytes + act) / (1 << 20);
    }
}
