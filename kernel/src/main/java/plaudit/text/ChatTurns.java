package plaudit.text;

import plaudit.UserError;

import java.util.Arrays;

/**
 * Prompts and replies through a model's chat template ({@link ChatFormat}): the prompt is the rendered user turn and
 * the start of the assistant's, the reply is closed by the template's end of turn, and sampling stops on its stop ids.
 *
 * <p>A prompt too long for the room left is shortened by its question's beginning, never by its ids' beginning: the
 * template's BOS and headers stay, so the model is always asked in its own format.
 */
final class ChatTurns implements Turns {
    private final ChatFormat format;
    /** The end of turn's text before its closing special token (Llama 2's space before {@code </s>}), often empty. */
    private final String beforeToken;

    ChatTurns(ChatFormat format) {
        this.format = format;
        String end = format.endOfTurn();
        String token = format.tokenizer().specialTokens().stream().filter(t -> !t.isEmpty() && end.endsWith(t))
                .reduce((a, b) -> a.length() >= b.length() ? a : b).orElse("");
        this.beforeToken = end.substring(0, end.length() - token.length());
    }

    @Override
    public Tokenizer tokenizer() {
        return format.tokenizer();
    }

    @Override
    public boolean chatTemplate() {
        return true;
    }

    @Override
    public int[] promptIds(String prompt) {
        return format.promptIds(prompt);
    }

    /**
     * The prompt with as much of the question's end as fits: the fewest characters dropped from its start (a binary
     * search over where it starts, never inside a surrogate pair) so that the rendered prompt fits.
     */
    @Override
    public int[] promptIds(String prompt, int maxTokens) {
        int[] whole = format.promptIds(prompt);
        if (whole.length <= maxTokens) return whole;
        int[] none = format.promptIds("");
        if (none.length > maxTokens) {
            throw new UserError("the chat template's prompt takes " + none.length + " tokens without any question, more "
                    + "than the " + maxTokens + " the context leaves after the reply; lower --max-response or "
                    + "--response-length, or turn the chat template off (--no-chat-template)");
        }
        int lo = 0, hi = prompt.length(); // the question from lo on does not fit, from hi on it does
        while (hi - lo > 1) {
            int mid = startOfCodePoint(prompt, (lo + hi) >>> 1);
            if (mid >= hi) break;
            if (format.promptIds(prompt.substring(mid)).length <= maxTokens) hi = mid;
            else lo = mid;
        }
        return format.promptIds(prompt.substring(hi));
    }

    private static int startOfCodePoint(String s, int i) {
        return i < s.length() && Character.isLowSurrogate(s.charAt(i)) ? i + 1 : i;
    }

    @Override
    public int[] replyIds(String prompt, String reply) {
        return format.replyIds(prompt, reply);
    }

    @Override
    public int[] stopIds() {
        return format.stopIds();
    }

    @Override
    public String replyText(int[] sampled, boolean stopped) {
        String text = format.tokenizer().decode(stopped ? Arrays.copyOf(sampled, sampled.length - 1) : sampled);
        return stopped && !beforeToken.isEmpty() && text.endsWith(beforeToken)
                ? text.substring(0, text.length() - beforeToken.length()) : text;
    }

    @Override
    public String toString() {
        return "chat template: " + format;
    }
}
