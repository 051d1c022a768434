package plaudit.train.steer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import plaudit.UserError;
import plaudit.model.CausalLm;
import plaudit.model.Gpt;

import java.util.Arrays;
import java.util.List;

/**
 * Prompts that all continue with one target text, in one left-padded batch with {@code slots} prefix positions before
 * or after each prompt: a row is {@code [pad … pad][slot × k][prompt][target]} or {@code [pad … pad][prompt][slot × k][target]}. Left padding puts the target in the same last
 * columns of every row, so {@code log p(target | prefix, prompt)} is one gather.
 *
 * @param ids     {@code [B, T]} int64 (0 at pads and slots)
 * @param mask    {@code [B, T]} float, 0 at left padding
 * @param targets {@code [B, L]} int64, the target ids in every row
 */
public record SteerBatch(NDArray ids, NDArray mask, NDArray targets, int slots, SoftPrefix.Position position) {

    /**
     * Builds the batch in {@code scope}. A prompt longer than the context allows loses its beginning (the end of a
     * post matters most for what follows it); an empty prompt is an error for the caller to have avoided.
     */
    public static SteerBatch of(NDManager scope, List<int[]> prompts, int[] target, int slots,
                                SoftPrefix.Position position, int blockSize) {
        int room = blockSize - slots - target.length;
        if (target.length == 0) throw new IllegalArgumentException("empty target");
        if (room < 1) {
            throw new UserError("steer: a prefix of " + slots + " tokens and a target of " + target.length
                    + " tokens leave no room for a prompt in block_size " + blockSize + "; shorten the target or the prefix");
        }
        int b = prompts.size();
        int longest = 0;
        for (int[] p : prompts) {
            if (p.length == 0) throw new IllegalArgumentException("empty prompt");
            longest = Math.max(longest, Math.min(p.length, room));
        }
        int t = slots + longest + target.length;
        long[] ids = new long[b * t];
        float[] mask = new float[b * t];
        long[] tgt = new long[b * target.length];
        for (int r = 0; r < b; r++) {
            int[] p = fit(prompts.get(r), room);
            int start = t - (slots + p.length + target.length);
            Arrays.fill(mask, r * t + start, (r + 1) * t, 1f);
            int promptStart = start + (position == SoftPrefix.Position.BEFORE ? slots : 0);
            for (int i = 0; i < p.length; i++) ids[r * t + promptStart + i] = p[i];
            for (int i = 0; i < target.length; i++) {
                ids[r * t + t - target.length + i] = target[i];
                tgt[r * target.length + i] = target[i];
            }
        }
        return new SteerBatch(scope.create(ids, new Shape(b, t)), scope.create(mask, new Shape(b, t)),
                scope.create(tgt, new Shape(b, target.length)), slots, position);
    }

    /** The last {@code room} tokens of a prompt. */
    static int[] fit(int[] prompt, int room) {
        return prompt.length <= room ? prompt : Arrays.copyOfRange(prompt, prompt.length - room, prompt.length);
    }

    /**
     * {@code log p(target | prefix, prompt)} per row, {@code [B]}, in {@code ids}' manager (no dropout).
     *
     * @param prefix {@code [k, C]} or {@code [B, k, C]} for the k slots; null when the batch has none
     */
    public NDArray targetLogProbs(Gpt model, NDArray prefix) {
        if ((prefix == null) != (slots == 0)) {
            throw new IllegalArgumentException("a batch with " + slots + " slots needs " + (slots == 0 ? "no" : "a") + " prefix");
        }
        long t = ids.getShape().get(1);
        long l = targets.getShape().get(1);
        NDArray hidden = model.hiddenFromEmbeddings(SoftPrefix.embed(model, ids, mask, prefix, position, (int) l), mask, null, null, false);
        NDArray predicting = hidden.get(new NDIndex(":, {}:{}", t - l - 1, t - 1)); // the positions before each target token
        return CausalLm.tokenLogProbs(model.logits(predicting), targets).sum(new int[] {1});
    }
}
