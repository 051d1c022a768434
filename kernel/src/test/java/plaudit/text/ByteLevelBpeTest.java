package plaudit.text;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encoding rules on small hand-made vocabularies, where the right answer can be worked out by hand. */
class ByteLevelBpeTest {
    /** The 256 byte tokens (ids 0..255 in byte order), then one token per merge, then the added tokens. */
    static ByteLevelBpe tiny(List<String> merges, List<AddedToken> added) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) vocab.put(ByteUnicode.tokenOf(b), b);
        List<ByteLevelBpe.Merge> rules = new ArrayList<>();
        for (String m : merges) {
            String[] parts = m.split(" ");
            rules.add(new ByteLevelBpe.Merge(parts[0], parts[1]));
            vocab.putIfAbsent(parts[0] + parts[1], vocab.size());
        }
        return new ByteLevelBpe(vocab, rules, added, "test vocabulary");
    }

    private static int id(ByteLevelBpe bpe, String token) {
        return bpe.vocab().get(token);
    }

    @Test
    void eachRoundMergesEveryOccurrenceOfTheBestPairLeftToRight() {
        ByteLevelBpe bpe = tiny(List.of("a a"), List.of());
        int a = 'a', aa = id(bpe, "aa");
        assertArrayEquals(new int[] {aa, a}, bpe.encode("aaa"));
        assertArrayEquals(new int[] {aa, aa}, bpe.encode("aaaa"));
        assertArrayEquals(new int[] {aa, aa, a}, bpe.encode("aaaaa"));
    }

    @Test
    void aBetterPairMadeMidRoundWaitsForTheNextRoundAsInEncoderPy() {
        // "ab a" outranks "a b" but needs "ab" first. encoder.py merges both "a b" in "abab" in one round
        // (giving ab|ab, where "ab a" no longer applies); merging one pair at a time would give aba|b.
        ByteLevelBpe bpe = tiny(List.of("ab a", "a b"), List.of());
        int ab = id(bpe, "ab");
        assertArrayEquals(new int[] {ab, ab}, bpe.encode("abab"));
        assertArrayEquals(new int[] {id(bpe, "aba")}, bpe.encode("aba"));
    }

    @Test
    void aLongWordEncodesQuicklyAndCorrectly() {
        ByteLevelBpe bpe = tiny(List.of("= =", "== ==", "==== ===="), List.of());
        String word = "=".repeat(200_001);
        int[] ids = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> bpe.encode(word));
        assertEquals(25_001, ids.length);
        assertEquals(id(bpe, "========"), ids[0]);
        assertEquals('=', ids[ids.length - 1]);
        assertEquals(word, bpe.decode(ids));
    }

    @Test
    void aLoneSurrogateEncodesAsTheReplacementCharacter() {
        ByteLevelBpe bpe = tiny(List.of(), List.of());
        assertArrayEquals(bpe.encode("a\uFFFDb"), bpe.encode("a\uD800b"));
        assertArrayEquals(bpe.encode("\uFFFD"), bpe.encode("\uDC00"));
    }

    @Test
    void decodingHalfACharacterGivesTheReplacementCharacter() {
        ByteLevelBpe bpe = tiny(List.of(), List.of());
        int[] ids = bpe.encode("é");
        assertArrayEquals(new int[] {0xC3, 0xA9}, ids);
        assertEquals("\uFFFD", bpe.decode(new int[] {ids[0]}));
        assertThrows(IllegalArgumentException.class, () -> bpe.decode(new int[] {256}));
        assertThrows(IllegalArgumentException.class, () -> bpe.decode(new int[] {-1}));
        assertTrue(bpe.isValidId(255));
        assertFalse(bpe.isValidId(256));
    }

    @Test
    void specialTokensOnlyWhenAllowedPlainAddedTokensAlways() {
        ByteLevelBpe bpe = tiny(List.of(), List.of(
                AddedToken.special(300, "<|endoftext|>"),
                new AddedToken(301, "[name]", false, false, false),
                new AddedToken(302, "<mask>", true, true, false),
                new AddedToken(303, "<sep>", true, false, true)));
        assertEquals(304, bpe.vocabSize());
        assertEquals(300, bpe.eosId());
        assertEquals(List.of("<|endoftext|>", "<mask>", "<sep>"), bpe.specialTokens());

        assertArrayEquals(concat(bpe.encode("hi "), new int[] {301}, bpe.encode("!")), bpe.encode("hi [name]!"));
        assertArrayEquals(bpe.encode("<|endoftext|>", false), bytes("<|endoftext|>"));
        assertArrayEquals(new int[] {'a', 300, 'b'}, bpe.encode("a<|endoftext|>b", true));
        // lstrip swallows the spaces before <mask>, rstrip the spaces after <sep>
        assertArrayEquals(new int[] {'a', 302, 'b'}, bpe.encode("a  <mask>b", true));
        assertArrayEquals(new int[] {'a', 303, 'b'}, bpe.encode("a<sep> \n b", true));
        assertEquals("a<sep>b", bpe.decode(bpe.encode("a<sep> \n b", true)));
    }

    @Test
    void theLongestAddedTokenWins() {
        ByteLevelBpe bpe = tiny(List.of(), List.of(AddedToken.special(300, "<x>"), AddedToken.special(301, "<x>>")));
        assertArrayEquals(new int[] {301, 300}, bpe.encode("<x>><x>", true));
    }

    @Test
    void concurrentEncodingGivesTheSameIds() throws Exception {
        ByteLevelBpe gpt2 = Gpt2Reference.tokenizer();
        List<String> texts = Gpt2Reference.strings();
        List<int[]> expected = texts.stream().map(gpt2::encode).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<int[]>>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) runs.add(pool.submit(() -> texts.stream().map(gpt2::encode).toList()));
            for (Future<List<int[]>> run : runs) {
                List<int[]> got = run.get();
                for (int i = 0; i < texts.size(); i++) assertArrayEquals(expected.get(i), got.get(i));
            }
        } finally {
            pool.shutdown();
        }
    }

    private static int[] bytes(String ascii) {
        return ascii.chars().toArray();
    }

    private static int[] concat(int[]... parts) {
        IntList out = new IntList(8);
        for (int[] p : parts) out.addAll(p);
        return out.toArray();
    }
}
