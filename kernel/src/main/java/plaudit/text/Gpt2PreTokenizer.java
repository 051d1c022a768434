package plaudit.text;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's pre-tokenizer: the regular expression that cuts text into words before BPE, so that no token ever spans
 * a letter/digit/punctuation/whitespace boundary (except one leading space), and English contractions split off.
 *
 * <p>OpenAI's encoder.py runs this pattern with Python's {@code regex} module, where {@code \s} is the Unicode
 * White_Space property (so U+0085 and U+00A0 are spaces, U+FEFF is not). Java's {@code \s} is ASCII-only unless
 * {@link Pattern#UNICODE_CHARACTER_CLASS} is set, which gives exactly White_Space. Java matches on code points, so an
 * emoji outside the BMP is one character, as in Python. Letter and digit classes come from Java 17's Unicode 13
 * tables: a letter added to Unicode later counts as punctuation here (where Python's may know it). Contractions are case-sensitive, as in GPT-2: {@code "don't"}
 * gives {@code don 't} but {@code "DON'T"} gives {@code DON ' T}.
 */
final class Gpt2PreTokenizer {
    static final Pattern PATTERN = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private Gpt2PreTokenizer() {
    }

    /** Calls {@code word} with each pre-token of {@code text[start, end)}, in order; the pieces cover it exactly. */
    static void split(String text, int start, int end, Consumer<String> word) {
        // Bounds are opaque by default: the lookahead (?!\S) sees the end of the region as the end of the text,
        // which is how Hugging Face pre-tokenizes each stretch between two added tokens.
        Matcher m = PATTERN.matcher(text).region(start, end);
        while (m.find()) word.accept(m.group());
    }

    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        split(text, 0, text.length(), words::add);
        return words;
    }

    /**
     * The last index {@code i >= from}, {@code i > 0}, where {@code text} may be cut into two pieces that
     * pre-tokenize exactly as the whole does, or -1 if none. No pre-token holds a non-space followed by a space (the
     * only space a word may carry is a leading one) and the pattern never looks behind, so a cut between a non-space
     * and a space is safe. Lets a big file be read in blocks.
     */
    static int lastSafeCut(CharSequence text, int from) {
        for (int i = text.length() - 1; i >= Math.max(1, from); i--) {
            if (isWhiteSpace(text.charAt(i)) && !isWhiteSpace(text.charAt(i - 1))) return i;
        }
        return -1;
    }

    /**
     * Unicode White_Space, the set {@code \s} matches under {@link Pattern#UNICODE_CHARACTER_CLASS}. All of it is in
     * the BMP, so a surrogate half is never white space.
     */
    static boolean isWhiteSpace(char c) {
        int type = Character.getType(c);
        return (c >= 0x09 && c <= 0x0D) || c == 0x85
                || type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }
}
