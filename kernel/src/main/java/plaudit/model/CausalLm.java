package plaudit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.Map;

/**
 * A decoder-only language model of any supported family (GPT-2, Llama, Qwen2, Qwen3): what every trainer, sampler and
 * scorer needs of a model, so that none of them knows the family. Open one with {@link ModelFolder#open}.
 *
 * <p>Memory: every intermediate of a call belongs to the manager of its input {@code ids} (open a sub-manager of
 * {@link #manager()} per step and close it); nothing is added to the parameter manager by a forward pass.
 */
public interface CausalLm extends AutoCloseable {

    /** {@code config.json}'s {@code model_type}: gpt2, llama, qwen2 or qwen3. */
    String modelType();

    /** Number of token ids; valid ids are {@code 0 .. vocabSize()-1}. */
    int vocabSize();

    /** Longest sequence the model accepts (GPT-2's {@code n_positions}, Llama's {@code max_position_embeddings}). */
    int contextLength();

    /** The config key of {@link #contextLength()}, for messages that tell the user what to change. */
    String contextLengthKey();

    /** Width of the hidden states {@link #hidden} returns (a score head's input). */
    int hiddenSize();

    Device device();

    /** Owns the parameters; open per-step sub-managers from it. */
    NDManager manager();

    /**
     * What training updates, under Hugging Face (or, for adapters, PEFT) names: every weight of a full model, only the
     * adapters of a LoRA model. A new map over the live arrays.
     */
    Map<String, NDArray> parameters();

    /**
     * The full weights under Hugging Face names, as {@code model.safetensors} holds them: {@link #parameters()} for a
     * full model; for a LoRA model its base's weights with the adapters merged in, new arrays owned by {@code m}.
     */
    default Map<String, NDArray> weights(NDManager m) {
        return parameters();
    }

    /**
     * The model whose {@code config.json} describes {@link #weights}: this one, or a LoRA model's base. A model whose
     * base is itself trains all its weights.
     */
    default CausalLm base() {
        return this;
    }

    /** Turns gradient tracking on for {@link #parameters()} (training) or off (a frozen reference). */
    void setTrainable(boolean on);

    /**
     * Final hidden states after the last norm, {@code [B, T, hiddenSize]}.
     *
     * @param ids           token ids, int64 {@code [B, T]}; its manager receives every intermediate
     * @param attentionMask {@code [B, T]}, 1 = token, 0 = (left) padding, for the new tokens only (a cache remembers
     *                      the mask of the past); null = all tokens
     * @param positionIds   {@code [B, T]} int64, or null: {@code cumsum(mask) - 1} over past and new tokens, clamped
     *                      at 0 (= {@code past .. past+T-1} without padding), as Hugging Face's {@code generate} sets them
     * @param cache         null for a full forward, or a cache ({@link #newCache}) the new keys and values join
     * @param train         enables dropout
     */
    NDArray hidden(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache, boolean train);

    /** Next-token logits {@code [..., V]} from hidden states: the output layer. */
    NDArray logits(NDArray hidden);

    /** An empty cache of this model's key/value heads for {@code rows} rows of up to {@code capacity} positions. */
    KvCache newCache(int rows, int capacity);

    /** Logits {@code [B, T, V]}; arguments as in {@link #hidden}. */
    default NDArray forward(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache, boolean train) {
        return logits(hidden(ids, attentionMask, positionIds, cache, train));
    }

    /**
     * Mean next-token cross-entropy over the targets selected by {@code lossMask} (float {@code [B, T]}, 1 = count).
     * Sequences of unequal length go right-padded (causal attention never looks right), with 0 in the loss mask.
     * An all-zero mask gives loss 0; a null mask counts every target (pretraining).
     */
    default NDArray loss(NDArray ids, NDArray targets, NDArray lossMask, boolean train) {
        if (!targets.getShape().equals(ids.getShape())
                || (lossMask != null && !lossMask.getShape().equals(ids.getShape()))) {
            throw new IllegalArgumentException("ids " + ids.getShape() + ", targets " + targets.getShape()
                    + " and lossMask " + (lossMask == null ? "-" : lossMask.getShape()) + " must have the same shape");
        }
        NDArray logProbs = tokenLogProbs(forward(ids, null, null, null, train), targets);
        if (lossMask == null) return logProbs.mean().neg();
        NDArray mask = lossMask.toType(DataType.FLOAT32, false);
        return logProbs.mul(mask).sum().neg().div(mask.sum().maximum(1f));
    }

    /** {@code log softmax(logits)} at {@code tokens}: logits {@code [B, T, V]}, tokens int64 {@code [B, T]} → {@code [B, T]}. */
    static NDArray tokenLogProbs(NDArray logits, NDArray tokens) {
        return logits.logSoftmax(-1).gather(tokens.expandDims(-1), -1).squeeze(-1);
    }

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
        try (NoGrad ignored = NoGrad.enter(); NDManager m = manager().newSubManager(device())) {
            NDArray input = m.create(in).reshape(1, in.length);
            NDArray targets = m.create(next).reshape(1, next.length);
            return tokenLogProbs(forward(input, null, null, null, false), targets).toFloatArray();
        }
    }

    /** Releases the parameters. */
    @Override
    void close();
}
