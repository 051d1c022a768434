package plaudit.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tokenizer.json files we write, loaded by Hugging Face's own (Rust) tokenizers library: it must read them and
 * give our ids. For GPT-2 this is also a third implementation to compare with, after encoder.py semantics and the
 * JavaScript reference.
 */
class HuggingFaceCompatibilityTest {
    /** Plain encoding: no truncation at 512 (DJL's default), no padding, no post-processor tokens. */
    private static final Map<String, String> RAW = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    @TempDir
    Path dir;

    @Test
    void huggingFaceReadsOurGpt2TokenizerJsonAndAgrees() throws IOException {
        ByteLevelBpe gpt2 = Gpt2Reference.tokenizer();
        Path file = dir.resolve("gpt2.json");
        gpt2.save(file);
        assertSameIds(gpt2, file, Gpt2Reference.strings());
    }

    @Test
    void huggingFaceReadsOurTrainedTokenizerJsonAndAgrees() throws IOException {
        ByteLevelBpe trained = BpeTrainer.train(SyntheticCorpus.documents(5, 2000), BpeTrainer.Config.of(700));
        Path file = dir.resolve("trained.json");
        trained.save(file);
        List<String> texts = new ArrayList<>(SyntheticCorpus.documents(6, 100));
        texts.addAll(Gpt2Reference.strings());
        assertSameIds(trained, file, texts);
    }

    private static void assertSameIds(ByteLevelBpe ours, Path file, List<String> texts) throws IOException {
        List<String> mismatches = new ArrayList<>();
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file, RAW)) {
            for (String text : texts) {
                // Hugging Face always matches special added tokens, as our encode(text, true) does
                int[] expected = ours.encode(text, true);
                long[] theirs = hf.encode(text, false, false).getIds();
                if (!Arrays.equals(expected, LongStream.of(theirs).mapToInt(id -> (int) id).toArray())) {
                    mismatches.add(Gpt2ParityTest.escape(text) + ": ours " + Arrays.toString(expected)
                            + ", Hugging Face " + Arrays.toString(theirs));
                } else if (!text.equals(hf.decode(theirs, false))) {
                    mismatches.add(Gpt2ParityTest.escape(text) + ": Hugging Face decodes it to "
                            + Gpt2ParityTest.escape(hf.decode(theirs, false)));
                }
            }
        }
        assertEquals(List.of(), mismatches);
    }
}
