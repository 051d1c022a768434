package plaudit.text;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTrainerTest {
    @TempDir
    Path dir;

    private static final List<String> CORPUS = SyntheticCorpus.documents(1, 3000);
    private static final List<String> HELD_OUT = SyntheticCorpus.documents(2, 300);

    @Test
    void mergesTheMostFrequentPairFirstAndBreaksTiesBySmallerIds() {
        // pre-tokens: "ab" + 3 x " ab" → (a,b) 4 times, then (Ġ,ab) 3 times; "cd" once is below min frequency 2
        ByteLevelBpe bpe = BpeTrainer.train(List.of("ab ab ab ab", "cd"), BpeTrainer.Config.of(1000));
        assertEquals(List.of(new ByteLevelBpe.Merge("a", "b"), new ByteLevelBpe.Merge("Ġ", "ab")), bpe.merges());
        assertEquals(256 + 2 + 1, bpe.vocabSize(), "stops early when no pair is frequent enough");
        assertEquals(258, bpe.eosId());

        // all pairs seen once: "a b" (ids 64, 65) before "c d" (66, 67) before "Ġ c"
        ByteLevelBpe ties = BpeTrainer.train(List.of("ab cd"), new BpeTrainer.Config(259, List.of(), 1));
        assertEquals(List.of(new ByteLevelBpe.Merge("a", "b"), new ByteLevelBpe.Merge("c", "d"),
                new ByteLevelBpe.Merge("Ġ", "cd")), ties.merges());
    }

    @Test
    void trainingIsDeterministicAndReachesTheVocabSize() throws IOException {
        ByteLevelBpe first = BpeTrainer.train(CORPUS, BpeTrainer.Config.of(600));
        ByteLevelBpe second = BpeTrainer.train(CORPUS, BpeTrainer.Config.of(600));
        first.save(dir.resolve("first.json"));
        second.save(dir.resolve("second.json"));
        assertEquals(Files.readString(dir.resolve("first.json")), Files.readString(dir.resolve("second.json")));
        assertEquals(600, first.vocabSize());
        assertEquals(599, first.eosId());
        assertEquals(List.of("<|endoftext|>"), first.specialTokens());
        // GPT-2's layout: the byte tokens first, in the same order
        assertEquals(Gpt2Reference.tokenizer().vocab().get("!"), first.vocab().get("!"));
        assertEquals(Gpt2Reference.tokenizer().vocab().get("Ġ"), first.vocab().get("Ġ"));
    }

    @Test
    void aTrainedTokenizerRoundTripsAndSurvivesSaving() {
        ByteLevelBpe bpe = BpeTrainer.train(CORPUS, BpeTrainer.Config.of(800));
        Path file = dir.resolve("tokenizer.json");
        bpe.save(file);
        ByteLevelBpe loaded = ByteLevelBpe.fromTokenizerJson(file);
        assertEquals(bpe.merges(), loaded.merges());
        // unseen scripts and emoji fall back to byte tokens, so everything round-trips
        for (String s : concat(HELD_OUT, Gpt2Reference.strings())) {
            int[] ids = bpe.encode(s, true);
            assertEquals(s, bpe.decode(ids), Gpt2ParityTest.escape(s));
            assertArrayEquals(ids, loaded.encode(s, true), Gpt2ParityTest.escape(s));
        }
        int eos = bpe.eosId();
        assertArrayEquals(new int[] {eos}, bpe.encode("<|endoftext|>", true));
        assertFalse(IntStream.of(bpe.encode("<|endoftext|>")).anyMatch(id -> id == eos));
    }

    @Test
    void moreTokensCompressBetter() {
        String heldOut = String.join("", HELD_OUT);
        int bytes = heldOut.getBytes(StandardCharsets.UTF_8).length;
        double small = BpeTrainer.train(CORPUS, BpeTrainer.Config.of(300)).encode(heldOut).length / (double) bytes;
        double large = BpeTrainer.train(CORPUS, BpeTrainer.Config.of(1000)).encode(heldOut).length / (double) bytes;
        assertTrue(small < 0.75, "300 tokens: " + small + " tokens per byte");
        assertTrue(large < 0.35, "1000 tokens: " + large + " tokens per byte");
        assertTrue(large < small * 0.7, small + " → " + large);
    }

    @Test
    void ordinaryTextNeverBecomesASpecialToken() {
        List<String> texts = List.of("EOS EOS EOS", "EOS EOS", "EOS");
        ByteLevelBpe bpe = BpeTrainer.train(texts, new BpeTrainer.Config(300, List.of("EOS"), 1));
        int eos = bpe.vocab().get("EOS");
        assertEquals(List.of("EOS"), bpe.specialTokens());
        assertFalse(IntStream.of(bpe.encode("EOS EOS")).anyMatch(id -> id == eos));
        assertTrue(bpe.encode("EOS").length > 1);
        assertArrayEquals(new int[] {eos}, bpe.encode("EOS", true));
        assertTrue(bpe.vocab().containsKey("ĠEOS"), "the other words still merge");
    }

    @Test
    void aFileReadInBlocksCountsLikeTheWholeText() throws IOException {
        // over one read block (2^20 chars), so the file is cut at least once
        String text = String.join("", SyntheticCorpus.documents(3, 12_000));
        assertTrue(text.length() > 1 << 20);
        Path file = Files.writeString(dir.resolve("corpus.txt"), text);
        long[] seen = {0};
        ByteLevelBpe fromFile = new BpeTrainer(BpeTrainer.Config.of(400)).addFile(file, bytes -> seen[0] = bytes)
                .train(frequency -> { });
        ByteLevelBpe fromText = BpeTrainer.train(List.of(text), BpeTrainer.Config.of(400));
        assertEquals(fromText.merges(), fromFile.merges());
        assertEquals(Files.size(file), seen[0]);
    }

    @Test
    void badInputIsRefused() throws IOException {
        BpeFilesTest.assertError(() -> BpeTrainer.Config.of(100), "vocab size 100", "at least 258");
        BpeFilesTest.assertError(() -> new BpeTrainer.Config(500, List.of("<a>", "<a>"), 2), "distinct");
        BpeFilesTest.assertError(() -> new BpeTrainer(BpeTrainer.Config.of(300)).addFile(dir.resolve("missing.txt"), b -> { }),
                "missing.txt", "no such file");
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, "caf\u00e9 ok".getBytes(StandardCharsets.ISO_8859_1));
        BpeFilesTest.assertError(() -> new BpeTrainer(BpeTrainer.Config.of(300)).addFile(latin1, b -> { }),
                "latin1.txt", "not valid UTF-8");
        assertThrows(UserError.class, () -> BpeTrainer.train(List.of("a! a!"), new BpeTrainer.Config(300, List.of("!"), 1)));
    }

    /** The brief's budget: 2048 tokens from ~3 MB in well under a minute. */
    @Test
    @Tag("slow")
    void trainsA2048VocabularyOnThreeMegabytesQuickly() {
        List<String> corpus = SyntheticCorpus.documents(4, 25_000);
        long bytes = corpus.stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
        assertTrue(bytes > 2_800_000, bytes + " bytes");
        long start = System.nanoTime();
        ByteLevelBpe bpe = BpeTrainer.train(corpus, BpeTrainer.Config.of(2048));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 30, seconds + " s");
        assertTrue(bpe.vocabSize() > 1000);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
