package plaudit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import plaudit.model.FolderTokenizer;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;

import java.util.Arrays;
import java.util.List;

/**
 * Prompt + response token sequences, fitted into the model's context and batched with right padding (causal
 * attention never looks right, so right padding needs no attention mask).
 */
public final class Sequences {
    private Sequences() {
    }

    /**
     * Plain-text turns of {@code tok} stopping at its end-of-sequence ids ({@link FolderTokenizer#stopIds}): how the
     * callers that give a tokenizer, not turns, have always made ids.
     */
    public static Turns plain(Tokenizer tok) {
        return Turns.plain(tok, FolderTokenizer.stopIds(tok));
    }

    /** One sequence: {@code ids[0, promptLen)} is the prompt, the rest the response. */
    public record Seq(int[] ids, int promptLen) {
        public int length() {
            return ids.length;
        }
    }

    /**
     * Joins prompt and response. The response keeps at most {@code maxResponse} tokens; the prompt then loses its
     * beginning (the post's start matters least for the reply that follows it) until the whole fits {@code maxLen}.
     */
    public static Seq join(int[] prompt, int[] response, int maxLen, int maxResponse) {
        int[] r = response.length > maxResponse ? Arrays.copyOf(response, maxResponse) : response;
        int keep = Math.max(1, Math.min(prompt.length, maxLen - r.length));
        int[] p = Arrays.copyOfRange(prompt, prompt.length - keep, prompt.length);
        int[] ids = new int[p.length + r.length];
        System.arraycopy(p, 0, ids, 0, p.length);
        System.arraycopy(r, 0, ids, p.length, r.length);
        return new Seq(ids, p.length);
    }

    /**
     * Prompt and reply as {@code turns} make them ids, joined: the reply keeps at most {@code maxResponse} tokens, the
     * prompt then gets the room left in {@code maxLen} ({@link Turns#promptIds(String, int)} says how it shortens).
     */
    public static Seq join(Turns turns, String prompt, String reply, int maxLen, int maxResponse) {
        int[] response = turns.replyIds(prompt, reply);
        int[] r = response.length > maxResponse ? Arrays.copyOf(response, maxResponse) : response;
        int[] p = turns.promptIds(prompt, maxLen - r.length);
        int[] ids = Arrays.copyOf(p, p.length + r.length);
        System.arraycopy(r, 0, ids, p.length, r.length);
        return new Seq(ids, p.length);
    }

    /** Right-padded ids {@code [B, T]} (int64) of whole sequences; pad positions hold {@code pad}. */
    public static NDArray ids(NDManager scope, List<Seq> seqs, int pad) {
        int t = seqs.stream().mapToInt(Seq::length).max().orElse(1);
        long[] x = new long[seqs.size() * t];
        Arrays.fill(x, pad);
        for (int i = 0; i < seqs.size(); i++) {
            int[] s = seqs.get(i).ids();
            for (int j = 0; j < s.length; j++) x[i * t + j] = s[j];
        }
        return scope.create(x, new Shape(seqs.size(), t));
    }

    /** Index of each sequence's last token: where the reward model reads its score (or ends its mean). */
    public static int[] lastIndex(List<Seq> seqs) {
        return seqs.stream().mapToInt(s -> s.length() - 1).toArray();
    }

    /**
     * Next-token training batch: inputs {@code [B, T-1]}, targets {@code [B, T-1]} and a float mask that selects the
     * response targets only (supervised fine-tuning learns the reply, not the post).
     */
    public static NDArray[] responseTargets(NDManager scope, List<Seq> seqs, int pad) {
        int t = seqs.stream().mapToInt(Seq::length).max().orElse(2) - 1;
        int b = seqs.size();
        long[] x = new long[b * t], y = new long[b * t];
        float[] mask = new float[b * t];
        Arrays.fill(x, pad);
        Arrays.fill(y, pad);
        for (int i = 0; i < b; i++) {
            Seq s = seqs.get(i);
            for (int j = 0; j + 1 < s.length(); j++) {
                x[i * t + j] = s.ids()[j];
                y[i * t + j] = s.ids()[j + 1];
                if (j + 1 >= s.promptLen()) mask[i * t + j] = 1f;
            }
        }
        Shape shape = new Shape(b, t);
        return new NDArray[] {scope.create(x, shape), scope.create(y, shape), scope.create(mask, shape)};
    }
}
