package plaudit.text;

import plaudit.UserError;
import plaudit.text.ChatTemplate.Message;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * How a chat model is asked and how its replies end, read off its chat template: the pipeline's prompt is
 * {@link #prompt(String)}, a reply the model learns from is that prompt + the reply's text + {@link #endOfTurn()},
 * and generation stops on {@link #stopIds()}. So prompt + reply + end of turn is exactly the start of what the
 * template renders for the conversation [user, assistant] (checked when the format is made).
 *
 * <p>The end of turn is the template's text after the reply up to and including its first special token (Llama 3:
 * {@code <|eot_id|>}; Qwen 3: {@code <|im_end|>}). What follows that token (Qwen 3's newline, Llama 3's next header)
 * opens the next turn: the model never generates it, since generation stops on the token, so a reply sampled in PPO
 * and a reply trained on in SFT or scored by the reward model end the same way.
 *
 * <p>Reasoning off: prompts are rendered with {@code enable_thinking=False}, the variable Qwen 3's template reads.
 * Its template renders a final assistant reply that has no reasoning after an empty {@code <think>} block, and with
 * reasoning off its generation prompt ends with that same block; replies from upvotes carry no reasoning, so the
 * model is asked exactly as it is trained. Templates that do not read the variable ignore it.
 *
 * <p>Special tokens are text in {@link #prompt(String)} and {@link #endOfTurn()}; {@link #promptIds(String)} and
 * {@link #replyIds(String, String)} encode them with special tokens allowed and no BOS added, as transformers does,
 * except that the user's and the reply's own text stays text. A template that wants a BOS writes it
 * ({@code <|begin_of_text|>} for Llama 3), so the ids hold exactly one. The tokenizer is the caller's to close.
 */
public final class ChatFormat {
    private static final Map<String, Object> NO_THINKING = Map.of("enable_thinking", false);
    /** Stand-ins for a question and a reply, plain text that no template changes. */
    private static final String QUESTION = "plaudit-question", REPLY = "plaudit-reply";

    private final ChatTemplate template;
    private final Tokenizer tokenizer;
    /** The template's text before and after the user's in a prompt; null when it does not show the text as it is. */
    private final String promptHead, promptTail;
    private final String endOfTurn;
    private final int[] endOfTurnIds;
    private final int[] stopIds;

    private ChatFormat(ChatTemplate template, Tokenizer tokenizer) {
        this.template = template;
        this.tokenizer = tokenizer;
        String asked = prompt(QUESTION);
        int at = asked.indexOf(QUESTION);
        boolean once = at >= 0 && asked.indexOf(QUESTION, at + 1) < 0;
        promptHead = once ? asked.substring(0, at) : null;
        promptTail = once ? asked.substring(at + QUESTION.length()) : null;
        String conversation = template.render(List.of(new Message("user", QUESTION), new Message("assistant", REPLY)), false, NO_THINKING);
        if (!conversation.startsWith(asked + REPLY)) {
            throw new UserError(template.source() + ": the chat_template does not render an assistant reply right after its "
                    + "generation prompt (prompt " + quote(asked) + ", conversation " + quote(conversation) + "), so replies "
                    + "cannot be trained as they are generated; turn the chat template off to use plain prompts");
        }
        String after = conversation.substring(asked.length() + REPLY.length());
        String token = firstSpecialToken(after, tokenizer.specialTokens());
        if (token == null) {
            throw new UserError(template.source() + ": no special token of the tokenizer closes an assistant reply (the template "
                    + "renders " + quote(after) + " after it), so generation could not stop at the end of a turn; use the "
                    + "tokenizer.json that belongs to this tokenizer_config.json, or turn the chat template off");
        }
        endOfTurn = after.substring(0, after.indexOf(token) + token.length());
        endOfTurnIds = tokenizer.encode(endOfTurn, true);
        int stop = singleId(tokenizer, token, template.source());
        // the config's eos_token as well, as models' generation configs list both (Llama 3 Instruct: <|eot_id|>,
        // <|end_of_text|>; Qwen 3: <|im_end|>, <|endoftext|>): a model that ends its reply with it also stops
        int eos = template.token("eos_token").map(t -> tokenizer.encode(t, true)).filter(ids -> ids.length == 1).map(ids -> ids[0]).orElse(stop);
        stopIds = eos == stop ? new int[] {stop} : new int[] {stop, eos};
    }

    /**
     * The chat format of a Hugging Face model folder ({@code chat_template.jinja} or {@code tokenizer_config.json},
     * as {@link ChatTemplate#inFolder} reads them), with the folder's tokenizer; empty when the folder has no chat
     * template, and the caller then gives prompts as plain text.
     */
    public static Optional<ChatFormat> inFolder(Path dir, Tokenizer tokenizer) {
        return ChatTemplate.inFolder(dir).map(t -> new ChatFormat(t, tokenizer));
    }

    /** The chat format of a {@code tokenizer_config.json}; empty when it has no chat_template. */
    public static Optional<ChatFormat> fromTokenizerConfig(Path tokenizerConfigJson, Tokenizer tokenizer) {
        return ChatTemplate.read(tokenizerConfigJson).map(t -> new ChatFormat(t, tokenizer));
    }

    /** What the model is asked: the user's turn and the start of the assistant's, as the template renders them. */
    public String prompt(String userText) {
        return template.render(List.of(new Message("user", userText)), true, NO_THINKING);
    }

    /**
     * The ids of {@link #prompt(String)}: transformers' ids of the rendered prompt. Where the user's text looks like
     * a special token ({@code <|im_end|>} in a comment about chat models) it stays text, where transformers would
     * make it the token and so end the turn inside the question: the template's text around it is then encoded on
     * its own (for SentencePiece tokenizers, that may change a space at the question's edges).
     */
    public int[] promptIds(String userText) {
        String prompt = prompt(userText);
        if (!looksSpecial(userText) || promptHead == null || !prompt.startsWith(promptHead) || !prompt.endsWith(promptTail)
                || prompt.length() < promptHead.length() + promptTail.length()) {
            return tokenizer.encode(prompt, true);
        }
        String text = prompt.substring(promptHead.length(), prompt.length() - promptTail.length());
        return concat(tokenizer.encode(promptHead, true), tokenizer.encode(text), tokenizer.encode(promptTail, true));
    }

    /**
     * The ids of a reply to {@code userText} as the model learns it and the reward model scores it, closed by
     * {@link #endOfTurnIds()}: what transformers' ids of prompt + reply + end of turn hold after the prompt's (so a
     * SentencePiece tokenizer does not begin the reply with a space of its own). A reply that looks like a special
     * token, or whose first token would join the prompt's last, is encoded on its own, its text as text.
     */
    public int[] replyIds(String userText, String reply) {
        if (!looksSpecial(userText) && !looksSpecial(reply)) {
            String prompt = prompt(userText);
            int[] whole = tokenizer.encode(prompt + reply + endOfTurn, true), asked = tokenizer.encode(prompt, true);
            if (whole.length >= asked.length && Arrays.equals(whole, 0, asked.length, asked, 0, asked.length)) {
                return Arrays.copyOfRange(whole, asked.length, whole.length);
            }
        }
        return concat(tokenizer.encode(reply), endOfTurnIds);
    }

    private boolean looksSpecial(String text) {
        return tokenizer.specialTokens().stream().anyMatch(t -> !t.isEmpty() && text.contains(t));
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    /** The tokenizer the ids are of. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The text that closes a reply, so the model learns to stop: append it to every reply trained on or scored. */
    public String endOfTurn() {
        return endOfTurn;
    }

    /** {@link #endOfTurn()} as token ids (special tokens allowed). */
    public int[] endOfTurnIds() {
        return endOfTurnIds.clone();
    }

    /**
     * The ids generation stops on: the special token that ends a turn, then the config's {@code eos_token} when that
     * is another token.
     */
    public int[] stopIds() {
        return stopIds.clone();
    }

    /** The special token that comes first in the text (the longest of those at the same place), or null. */
    private static String firstSpecialToken(String text, List<String> specialTokens) {
        String first = null;
        int at = Integer.MAX_VALUE;
        for (String t : specialTokens) {
            int i = t.isEmpty() ? -1 : text.indexOf(t);
            if (i >= 0 && (i < at || i == at && t.length() > first.length())) {
                first = t;
                at = i;
            }
        }
        return first;
    }

    private static int singleId(Tokenizer tokenizer, String token, String source) {
        int[] ids = tokenizer.encode(token, true);
        if (ids.length != 1) {
            throw new UserError(source + ": the end-of-turn token " + quote(token) + " is " + ids.length + " tokens " + Arrays.toString(ids)
                    + " to this tokenizer, not one; use the tokenizer.json that belongs to the chat template");
        }
        return ids[0];
    }

    private static String quote(String s) {
        return "'" + s.replace("\n", "\\n").replace("\r", "\\r") + "'";
    }

    @Override
    public String toString() {
        return "ChatFormat[" + template.source() + ", end of turn " + quote(endOfTurn) + ", stop ids "
                + Arrays.toString(stopIds) + "]";
    }
}
