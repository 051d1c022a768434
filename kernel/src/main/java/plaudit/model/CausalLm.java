package plaudit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A decoder-only language model of any supported family (GPT-2, Llama, Qwen2, Qwen3), seen only through its
 * next-token logits: what scoring a sequence needs. Open one with {@link ModelFolder#open}.
 */
public interface CausalLm extends AutoCloseable {

    /** {@code config.json}'s {@code model_type}: gpt2, llama, qwen2 or qwen3. */
    String modelType();

    /** Number of token ids; valid ids are {@code 0 .. vocabSize()-1}. */
    int vocabSize();

    /** Longest sequence the model accepts (GPT-2's {@code n_positions}, Llama's {@code max_position_embeddings}). */
    int contextLength();

    Device device();

    /** Next-token logits {@code [B, T, V]} of int64 ids {@code [B, T]}, owned by the manager of {@code ids}. */
    NDArray logits(NDArray ids);

    /**
     * {@code log p(ids[i] | ids[0..i-1])} for {@code i = 1 .. n-1}, computed in float32: the n−1 log-probabilities
     * of a sequence after its first token. The ids must be valid for this model (checked by the caller).
     */
    default float[] sequenceLogProbs(int[] ids) {
        if (ids.length < 2 || ids.length > contextLength()) {
            throw new IllegalArgumentException(ids.length + " ids; need 2 to " + contextLength());
        }
        long[] in = new long[ids.length - 1];
        long[] next = new long[ids.length - 1];
        for (int i = 0; i < in.length; i++) {
            in[i] = ids[i];
            next[i] = ids[i + 1];
        }
        try (NoGrad ignored = NoGrad.enter(); NDManager m = NDManager.newBaseManager(device(), "PyTorch")) {
            NDArray input = m.create(in).reshape(1, in.length);
            NDArray targets = m.create(next).reshape(1, next.length);
            return Gpt.tokenLogProbs(logits(input), targets).toFloatArray();
        }
    }

    /** Releases the parameters. */
    @Override
    void close();
}
