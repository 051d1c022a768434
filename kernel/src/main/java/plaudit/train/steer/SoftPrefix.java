package plaudit.train.steer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import plaudit.model.Generator;
import plaudit.model.Gpt;

import java.util.Locale;

/**
 * Places k prefix vectors in each prompt of a left-padded batch, in front of the prompt or after it: the slot positions
 * get the prefix vectors instead of token embeddings, whatever token ids they hold. Because the slots are found from
 * the mask and the columns, the same function serves a training batch and the prompt pass of {@link Generator} (which
 * left-pads on its own).
 *
 * <p>The prefix is a soft prompt (Lester et al. 2021, trained vectors) or one-hot token weights times the token
 * embedding (the differentiable form of a token prefix that greedy coordinate gradient needs).
 */
public final class SoftPrefix {
    private SoftPrefix() {
    }

    /** Where the k slots go: before the prompt (a prefix, as in prompt tuning) or after it, right before the reply. */
    public enum Position {
        BEFORE, AFTER;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Input embeddings {@code [B, T, C]} owned by {@code ids}' manager.
     *
     * @param ids      {@code [B, T]} int64, left-padded; the slots may hold any valid id
     * @param mask     {@code [B, T]}, 1 = real position, 0 = left padding
     * @param prefix   {@code [k, C]} (one prefix for every row), {@code [B, k, C]} (one per row), or null (no slots)
     * @param position {@link Position#BEFORE}: the first k real positions of each row are the slots;
     *                 {@link Position#AFTER}: the k columns that end {@code after} columns before the last one (left
     *                 padding aligns the prompts' ends, so these are the same columns in every row)
     * @param after    columns that follow the slots (the target's length in a training batch, 0 while sampling)
     */
    public static NDArray embed(Gpt model, NDArray ids, NDArray mask, NDArray prefix, Position position, int after) {
        NDArray tokens = model.embedTokens(ids);
        if (prefix == null) return tokens;
        Shape ps = prefix.getShape();
        long k = ps.get(ps.dimension() - 2);
        NDManager m = ids.getManager();
        NDArray slot = m.arange(0f, (float) k).reshape(1, 1, k);
        NDArray index; // [B or 1, T, 1]: each position's slot number, matched against 0..k-1
        if (position == Position.BEFORE) {
            NDArray real = mask.toType(DataType.FLOAT32, false);
            index = real.cumSum(1).mul(real).sub(1f).expandDims(-1);              // 0, 1, … at real positions, -1 at pads
        } else {
            long t = ids.getShape().get(1);
            index = m.arange(0f, (float) t).sub((float) (t - after - k)).reshape(1, t, 1);
        }
        NDArray placement = index.eq(slot).toType(DataType.FLOAT32, false);      // [B, T, k], one-hot rows at slots
        NDArray isToken = placement.sum(new int[] {2}, true).neg().add(1f);      // [B, T, 1]
        return tokens.mul(isToken).add(placement.matMul(prefix));               // placement on the left: step-scoped
    }

    /**
     * The prefix as {@link Generator}'s prompt embedding: prompts then hold k placeholder ids before or after the text.
     */
    public static Generator.PromptEmbedding asPromptEmbedding(NDArray prefix, Position position) {
        return (model, ids, mask) -> embed(model, ids, mask, prefix, position, 0);
    }
}
