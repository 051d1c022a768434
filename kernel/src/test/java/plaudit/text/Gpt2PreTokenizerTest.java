package plaudit.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Gpt2PreTokenizerTest {
    @Test
    void splitsLikeGpt2() {
        assertEquals(List.of("Hello", ",", " world", "!"), Gpt2PreTokenizer.split("Hello, world!"));
        assertEquals(List.of("I", "'m", " fine", " ", " now", "  "), Gpt2PreTokenizer.split("I'm fine  now  "));
        // contractions are case-sensitive in GPT-2: "'T" is not one, so the quote and the letter part
        assertEquals(List.of("DON", "'", "T", " don", "'t"), Gpt2PreTokenizer.split("DON'T don't"));
        // a run of white space gives its last character to the next word (\s+(?!\S) backtracks)
        assertEquals(List.of("a", "\n", "\n", "b"), Gpt2PreTokenizer.split("a\n\nb"));
        assertEquals(List.of("a", "  ", " b"), Gpt2PreTokenizer.split("a   b"));
        assertEquals(List.of(" 123", ".", "45"), Gpt2PreTokenizer.split(" 123.45"));
        // a supplementary character is one code point: the emoji is one punctuation-class piece with its space
        assertEquals(List.of("a", " \uD83D\uDE00\uD83D\uDE00", "b"), Gpt2PreTokenizer.split("a \uD83D\uDE00\uD83D\uDE00b"));
        assertEquals(List.of("\uD835\uDC00\uD835\uDC01"), Gpt2PreTokenizer.split("\uD835\uDC00\uD835\uDC01")); // math bold letters are \p{L}
    }

    @Test
    void longRunsNeitherOverflowNorSplit() {
        String spaces = " ".repeat(300_000);
        assertEquals(List.of("a", spaces.substring(1), " b"), Gpt2PreTokenizer.split("a" + spaces + "b"));
        String letters = "x".repeat(300_000);
        assertEquals(List.of(letters, " " + letters), Gpt2PreTokenizer.split(letters + " " + letters));
    }

    @Test
    void whiteSpaceIsUnicodeWhiteSpaceAsTheRegexSees() {
        Pattern s = Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS);
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            assertEquals(s.matcher(String.valueOf(c)).matches(), Gpt2PreTokenizer.isWhiteSpace(c), "U+" + Integer.toHexString(c));
        }
        assertEquals(true, Gpt2PreTokenizer.isWhiteSpace('\u0085'));
        assertEquals(false, Gpt2PreTokenizer.isWhiteSpace('\uFEFF'));
    }

    @Test
    void aSafeCutSplitsNoPreToken() {
        Random random = new Random(7);
        String[] pieces = {"a", "Z", "é", "7", " ", "  ", "\n", "\t", "'s", "'", ".", "!?", "\uD83D\uDE00", "\u00A0", "\r\n"};
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder sb = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) sb.append(pieces[random.nextInt(pieces.length)]);
            String text = sb.toString();
            int cut = Gpt2PreTokenizer.lastSafeCut(text, 0);
            if (cut < 0) continue;
            List<String> whole = Gpt2PreTokenizer.split(text);
            List<String> halves = new ArrayList<>(Gpt2PreTokenizer.split(text.substring(0, cut)));
            halves.addAll(Gpt2PreTokenizer.split(text.substring(cut)));
            assertEquals(whole, halves, Gpt2ParityTest.escape(text) + " cut at " + cut);
        }
    }
}
