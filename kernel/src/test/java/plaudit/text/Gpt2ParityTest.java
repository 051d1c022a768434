package plaudit.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our ids for GPT-2's vocabulary against an independent implementation's, string by string. */
class Gpt2ParityTest {
    /**
     * Strings where the JavaScript reference is wrong by OpenAI's encoder.py, with the pre-tokens encoder.py makes.
     * encoder.py runs GPT-2's pattern with Python's {@code regex} module, whose {@code \s} is Unicode White_Space:
     * U+0085 (NEXT LINE) is white space and U+FEFF (BYTE ORDER MARK) is not. JavaScript's {@code \s} is the opposite
     * on both, so " \u0085" and " \uFEFF" split differently there. (Checked with Python's regex module: its \s matches
     * exactly the 25 White_Space code points, as Java's \s does under UNICODE_CHARACTER_CLASS. Hugging Face's Rust
     * tokenizers gives our ids on these strings too: see HuggingFaceCompatibilityTest.)
     */
    private static final Map<String, List<String>> JS_DIFFERS = Map.of(
            "a \u0085b", List.of("a", " ", "\u0085", "b"),
            "word \uFEFFword", List.of("word", " \uFEFF", "word"));

    @Test
    void referenceCoversEveryTestString() {
        List<String> texts = Gpt2Reference.cases().stream().map(Gpt2Reference.Case::text).toList();
        assertEquals(Gpt2Reference.strings(), texts, "gpt2-reference.json is stale: run node scripts/gpt2-reference.mjs");
        assertTrue(texts.size() >= 220, "only " + texts.size() + " strings");
        assertTrue(texts.containsAll(JS_DIFFERS.keySet()));
    }

    @Test
    void idsEqualTheReference() {
        ByteLevelBpe gpt2 = Gpt2Reference.tokenizer();
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (Gpt2Reference.Case c : Gpt2Reference.cases()) {
            if (JS_DIFFERS.containsKey(c.text())) continue;
            int[] ours = gpt2.encode(c.text());
            if (!Arrays.equals(c.ids(), ours)) {
                mismatches.add(escape(c.text()) + ": reference " + Arrays.toString(c.ids()) + ", ours " + Arrays.toString(ours));
            }
            compared++;
        }
        assertEquals(List.of(), mismatches);
        assertEquals(Gpt2Reference.cases().size() - JS_DIFFERS.size(), compared);
    }

    @Test
    void whereTheReferenceIsWrongWeFollowEncoderPy() {
        ByteLevelBpe gpt2 = Gpt2Reference.tokenizer();
        for (Gpt2Reference.Case c : Gpt2Reference.cases()) {
            List<String> pieces = JS_DIFFERS.get(c.text());
            if (pieces == null) continue;
            assertEquals(pieces, Gpt2PreTokenizer.split(c.text()), escape(c.text()));
            int[] expected = pieces.stream().flatMapToInt(p -> IntStream.of(gpt2.encode(p))).toArray();
            assertArrayEquals(expected, gpt2.encode(c.text()), escape(c.text()));
            // Still a real difference; if the reference ever agrees, this exclusion can go.
            assertFalse(Arrays.equals(c.ids(), expected), escape(c.text()));
            assertEquals(c.text(), gpt2.decode(c.ids()), "both decode to the text, only the split differs");
        }
    }

    @Test
    void decodeInvertsEncode() {
        ByteLevelBpe gpt2 = Gpt2Reference.tokenizer();
        for (Gpt2Reference.Case c : Gpt2Reference.cases()) {
            assertEquals(c.text(), gpt2.decode(gpt2.encode(c.text())), escape(c.text()));
            assertEquals(c.text(), gpt2.decode(gpt2.encode(c.text(), true)), escape(c.text()));
            assertEquals(c.text(), gpt2.decode(c.ids()), escape(c.text()));
        }
    }

    @Test
    void endOfTextIsTextUnlessSpecialTokensAreAllowed() {
        ByteLevelBpe gpt2 = Gpt2Reference.tokenizer();
        assertEquals(50257, gpt2.vocabSize());
        assertEquals(50256, gpt2.eosId());
        assertEquals(List.of("<|endoftext|>"), gpt2.specialTokens());
        String text = "one.<|endoftext|>two";
        int[] plain = gpt2.encode(text);
        assertFalse(IntStream.of(plain).anyMatch(id -> id == 50256));
        assertArrayEquals(plain, gpt2.encode(text, false));
        int[] special = gpt2.encode(text, true);
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(gpt2.encode("one.")), IntStream.of(50256)),
                IntStream.of(gpt2.encode("two"))).toArray();
        assertArrayEquals(expected, special);
        assertNotEquals(plain.length, special.length);
        assertArrayEquals(new int[] {50256, 50256}, gpt2.encode("<|endoftext|><|endoftext|>", true));
        assertEquals(text, gpt2.decode(special));
    }

    /** The text with its invisible characters escaped, for readable failure messages. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            boolean invisible = cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || Character.getType(cp) == Character.FORMAT
                    || (cp != ' ' && cp <= 0xFFFF && Gpt2PreTokenizer.isWhiteSpace((char) cp));
            if (invisible) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.append('"').toString();
    }
}
