package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Positions and the additive causal-and-padding bias of a decoder's self-attention, shared by every family so that a
 * left-padded row computes what it would alone, with or without a {@link KvCache}.
 */
final class AttentionMask {
    /** Added to the scores of masked keys. Finite, not -inf: a pad query that sees no real key gets a uniform row, not NaN. */
    static final float MASKED = -1e9f;

    private AttentionMask() {
    }

    /**
     * {@code cumsum(mask) - 1} clamped at 0, int64 {@code [B or 1, T]}, for the last {@code t} of the {@code past + t}
     * positions; {@code keyMask} {@code [B, past+T]} (1 = token) or null (no padding: {@code past .. past+t-1}).
     */
    static NDArray positions(NDArray keyMask, int past, int t, NDManager m) {
        if (keyMask == null) return m.arange(past, past + t, 1, DataType.INT64).reshape(1, t);
        NDArray counted = keyMask.cumSum(1).get(NDIndex.sliceAxis(1, past, past + t));
        return counted.sub(1).maximum(0).toType(DataType.INT64, false);
    }

    /**
     * Additive attention bias {@code [B or 1, 1, T, past+T]}: 0 where query {@code past+i} may see key {@code j}
     * ({@code j <= past+i} and key {@code j} is a token), {@link #MASKED} elsewhere.
     */
    static NDArray bias(NDArray keyMask, int past, int t, NDManager m) {
        int s = past + t;
        NDArray queryPos = m.arange(past, s, 1, DataType.INT64).reshape(t, 1);
        NDArray allowed = m.arange(0, s, 1, DataType.INT64).reshape(1, s).lte(queryPos); // causal [T, S]
        if (keyMask != null) allowed = allowed.logicalAnd(keyMask.gt(0.5f).reshape(-1, 1, s)); // [B, T, S]
        return allowed.toType(DataType.FLOAT32, false).sub(1).mul(-MASKED).reshape(-1, 1, t, s);
    }
}
