package plaudit.text;

import java.nio.file.Path;

/**
 * How a prompt and a reply become token ids, and where a sampled reply ends: the one place every trainer, the reward
 * model and sampling turn text into ids, so that a reply is trained on, scored and generated alike.
 * {@linkplain #plain Plain}: the prompt's text as it is, the reply followed by end-of-text (GPT-2 and Plaudit's own
 * tokenizers); {@linkplain #chat chat}: the model's chat template ({@link ChatFormat}), the reply closed by its end of
 * turn.
 */
public interface Turns {

    /** The tokenizer the ids belong to (its end-of-text id pads batches). */
    Tokenizer tokenizer();

    /** Whether prompts are rendered by a chat template: what a resumable run records and must repeat. */
    boolean chatTemplate();

    /** The ids the model is asked with. */
    int[] promptIds(String prompt);

    /**
     * {@link #promptIds(String)} in at most {@code maxTokens} ids (never fewer than one kept): what a prompt becomes when
     * the context leaves it only that much room.
     */
    int[] promptIds(String prompt, int maxTokens);

    /** The ids of {@code reply} to {@code prompt} as the model learns it and the reward model scores it, its end included. */
    int[] replyIds(String prompt, String reply);

    /** The ids sampling stops on (the first one drawn is kept as the reply's last token). */
    int[] stopIds();

    /** The text of sampled reply ids, without the stop id that ended them ({@code stopped}) and its end-of-turn text. */
    String replyText(int[] sampled, boolean stopped);

    /** Today's plain text: the prompt as it is, the reply + end-of-text, stopping on {@code stopIds}. */
    static Turns plain(Tokenizer tok, int[] stopIds) {
        return new PlainTurns(tok, stopIds);
    }

    /** The turns of a chat template, with its tokenizer. */
    static Turns chat(ChatFormat format) {
        return new ChatTurns(format);
    }

    /**
     * The turns of a model folder: its chat template where it has one and {@code useTemplate}, else plain text with
     * {@code plainStopIds} (the folder's end-of-sequence ids).
     */
    static Turns inFolder(Path dir, Tokenizer tok, int[] plainStopIds, boolean useTemplate) {
        if (useTemplate) {
            var format = ChatFormat.inFolder(dir, tok);
            if (format.isPresent()) return chat(format.get());
        }
        return plain(tok, plainStopIds);
    }
}
