package plaudit.text;

/**
 * A token matched as a whole string before pre-tokenization, such as {@code <|endoftext|>} (Hugging Face's
 * {@code added_tokens}). A {@code special} one is matched only when the caller allows special tokens; a plain added
 * token always is. {@code lstrip}/{@code rstrip}: the token swallows the white space on its left/right.
 */
public record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip) {
    public AddedToken {
        if (content == null || content.isEmpty()) throw new IllegalArgumentException("added token " + id + " is empty");
    }

    public static AddedToken special(int id, String content) {
        return new AddedToken(id, content, true, false, false);
    }
}
