package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Positions and the additive causal-and-padding bias of a decoder's self-attention, shared by every family so that a
 * left-padded row computes what it would alone, with or without a {@link KvCache}.
 */
final class AttentionMask {
    /** Added to the scores of masked keys. Finite, not -inf: a pad query that sees no real key gets a uniform row, not NaN. */
    static final float MASKED = -1e9f;

    private AttentionMask() {
    }

    /** Positions ({@code [B or 1, T]} int64) and additive bias ({@code [B or 1, 1, T, past+T]}) of a forward pass. */
    record Step(NDArray positions, NDArray bias) {
    }

    /**
     * What a forward pass of {@code t} new tokens in {@code batch} rows of {@code model} needs after the positions
     * {@code cache} holds (none when null): the mask of the new tokens joins the cache's (which {@link KvCache#advance}
     * then counts), positions are {@code positionIds} or counted from the mask, and the bias hides the future and the
     * padding. Refuses a mask of another shape and more positions than the model takes.
     *
     * @param attentionMask {@code [B, T]}, 1 = token, 0 = (left) padding; null = all tokens
     */
    static Step of(CausalLm model, int batch, int t, NDArray attentionMask, NDArray positionIds, KvCache cache,
                   NDManager m) {
        if (attentionMask != null && !attentionMask.getShape().equals(new Shape(batch, t))) {
            throw new IllegalArgumentException("attentionMask " + attentionMask.getShape()
                    + " must match the inputs' [B, T] = [" + batch + ", " + t + "]");
        }
        int past = cache == null ? 0 : cache.length();
        if (past + t > model.contextLength()) {
            throw new IllegalArgumentException("sequence of " + (past + t) + " positions exceeds "
                    + model.contextLengthKey() + " " + model.contextLength());
        }
        // which keys a query may attend to: [B, past+T] (1 = token), or null when nothing is padded
        NDArray keyMask = attentionMask == null ? null : attentionMask.toType(DataType.FLOAT32, false);
        if (cache != null) keyMask = cache.appendMask(keyMask != null ? keyMask : m.ones(new Shape(batch, t)), m);
        NDArray positions = positionIds != null ? positionIds : positions(keyMask, past, t, m);
        return new Step(positions, bias(keyMask, past, t, m));
    }

    /**
     * {@code cumsum(mask) - 1} clamped at 0, int64 {@code [B or 1, T]}, for the last {@code t} of the {@code past + t}
     * positions; {@code keyMask} {@code [B, past+T]} (1 = token) or null (no padding: {@code past .. past+t-1}).
     */
    private static NDArray positions(NDArray keyMask, int past, int t, NDManager m) {
        if (keyMask == null) return m.arange(past, past + t, 1, DataType.INT64).reshape(1, t);
        NDArray counted = keyMask.cumSum(1).get(NDIndex.sliceAxis(1, past, past + t));
        return counted.sub(1).maximum(0).toType(DataType.INT64, false);
    }

    /**
     * Additive attention bias {@code [B or 1, 1, T, past+T]}: 0 where query {@code past+i} may see key {@code j}
     * ({@code j <= past+i} and key {@code j} is a token), {@link #MASKED} elsewhere.
     */
    private static NDArray bias(NDArray keyMask, int past, int t, NDManager m) {
        int s = past + t;
        NDArray queryPos = m.arange(past, s, 1, DataType.INT64).reshape(t, 1);
        NDArray allowed = m.arange(0, s, 1, DataType.INT64).reshape(1, s).lte(queryPos); // causal [T, S]
        if (keyMask != null) allowed = allowed.logicalAnd(keyMask.gt(0.5f).reshape(-1, 1, s)); // [B, T, S]
        return allowed.toType(DataType.FLOAT32, false).sub(1).mul(-MASKED).reshape(-1, 1, t, s);
    }
}
