package plaudit.text;

import java.util.Arrays;

/**
 * Prompts and replies as plain text, as Plaudit has always tokenized them: the prompt's ids, cut from the left when
 * long (its start matters least to the reply that follows); the reply's ids and the end-of-text id, so the policy
 * learns to stop.
 */
final class PlainTurns implements Turns {
    private final Tokenizer tok;
    private final int[] stopIds;

    PlainTurns(Tokenizer tok, int[] stopIds) {
        this.tok = tok;
        this.stopIds = stopIds.clone();
    }

    @Override
    public Tokenizer tokenizer() {
        return tok;
    }

    @Override
    public boolean chatTemplate() {
        return false;
    }

    @Override
    public int[] promptIds(String prompt) {
        return tok.encode(prompt);
    }

    @Override
    public int[] promptIds(String prompt, int maxTokens) {
        int[] ids = tok.encode(prompt);
        int keep = Math.min(ids.length, Math.max(1, maxTokens));
        return keep == ids.length ? ids : Arrays.copyOfRange(ids, ids.length - keep, ids.length);
    }

    @Override
    public int[] replyIds(String prompt, String reply) {
        int[] r = tok.encode(reply);
        if (tok.eosId() < 0) return r;
        int[] out = Arrays.copyOf(r, r.length + 1);
        out[r.length] = tok.eosId();
        return out;
    }

    @Override
    public int[] stopIds() {
        return stopIds.clone();
    }

    @Override
    public String replyText(int[] sampled, boolean stopped) {
        return tok.decode(stopped ? Arrays.copyOf(sampled, sampled.length - 1) : sampled);
    }

    @Override
    public String toString() {
        return "plain text, stop ids " + Arrays.toString(stopIds);
    }
}
