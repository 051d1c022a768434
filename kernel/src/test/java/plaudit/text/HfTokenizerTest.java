package plaudit.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import plaudit.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Hugging Face tokenizers through {@link HfTokenizer}: every string of hf-strings.json gives the ids of the
 * independent JavaScript implementation, with and without special tokens, and decodes back.
 */
class HfTokenizerTest {
    static final List<String> NAMES = HfReference.NAMES;

    @TempDir
    Path dir;

    @ParameterizedTest
    @FieldSource("NAMES")
    void idsEqualTheReference(String name) {
        List<String> mismatches = new ArrayList<>();
        try (HfTokenizer tokenizer = HfTokenizer.load(HfReference.tokenizerJson(name))) {
            for (HfReference.Case c : HfReference.cases(name)) {
                int[] special = tokenizer.encode(c.text(), true), text = tokenizer.encode(c.text());
                if (!Arrays.equals(c.allowSpecial(), special)) {
                    mismatches.add("allowSpecial " + Gpt2ParityTest.escape(c.text()) + ": reference " + Arrays.toString(c.allowSpecial())
                            + ", ours " + Arrays.toString(special));
                }
                if (!Arrays.equals(c.specialAsText(), text)) {
                    mismatches.add("as text " + Gpt2ParityTest.escape(c.text()) + ": reference " + Arrays.toString(c.specialAsText())
                            + ", ours " + Arrays.toString(text));
                }
            }
        }
        assertEquals(List.of(), mismatches);
    }

    /**
     * Decoding gives the text back, up to what the tokenizer itself loses: Qwen's NFC normalizer composes "e" + U+0301
     * into "\u00e9"; Llama 2's SentencePiece marker U+2581 in the text is a space to it, and Hugging Face prefixes the
     * text after an added token with one (so "<s>[INST]" comes back as "<s> [INST]").
     */
    @ParameterizedTest
    @FieldSource("NAMES")
    void decodeGivesTheTextBack(String name) {
        List<String> mismatches = new ArrayList<>();
        try (HfTokenizer tokenizer = HfTokenizer.load(HfReference.tokenizerJson(name))) {
            for (String s : HfReference.strings()) {
                for (boolean allowSpecial : new boolean[] {false, true}) {
                    String expected = switch (name) {
                        case "qwen3" -> Normalizer.normalize(s, Normalizer.Form.NFC);
                        case "llama2" -> allowSpecial && s.equals("<s>[INST] Hi [/INST]</s>") ? "<s> [INST] Hi [/INST]</s>"
                                : s.replace('\u2581', ' ');
                        default -> s;
                    };
                    String back = tokenizer.decode(tokenizer.encode(s, allowSpecial));
                    if (!back.equals(expected)) {
                        mismatches.add(allowSpecial + " " + Gpt2ParityTest.escape(s) + " -> " + Gpt2ParityTest.escape(back));
                    }
                }
            }
        }
        assertEquals(List.of(), mismatches);
    }

    @Test
    void specialTokensOnlyWhenAllowed() {
        try (HfTokenizer llama3 = HfTokenizer.load(HfReference.tokenizerJson("llama3"))) {
            // <|begin_of_text|> is 128000 and <|eot_id|> 128009 in Llama 3's added_tokens; "Hi" is 13347
            assertArrayEquals(new int[] {128000, 13347, 128009}, llama3.encode("<|begin_of_text|>Hi<|eot_id|>", true));
            int[] asText = llama3.encode("<|begin_of_text|>Hi<|eot_id|>");
            assertTrue(Arrays.stream(asText).allMatch(id -> id < 128000), Arrays.toString(asText));
            assertEquals("<|begin_of_text|>Hi<|eot_id|>", llama3.decode(asText));
            assertTrue(llama3.specialTokens().contains("<|eot_id|>"));
            assertEquals(128256, llama3.vocabSize());
        }
    }

    @Test
    void opensEachFileWithTheImplementationThatReadsItExactly() throws Exception {
        Path trained = dir.resolve("trained.json");
        BpeTrainer.train(List.of("the reward model reads the comment thread"), BpeTrainer.Config.of(270)).save(trained);
        assertInstanceOf(ByteLevelBpe.class, TokenizerJson.open(trained));
        for (String name : NAMES) {
            Tokenizer t = TokenizerJson.open(HfReference.tokenizerJson(name));
            try (HfTokenizer hf = assertInstanceOf(HfTokenizer.class, t)) {
                assertEquals(HfReference.cases(name).get(1).allowSpecial().length, hf.encode("Hello, my dog is cute").length);
            }
        }
    }

    @Test
    void aFileTheLibraryRefusesIsOneLineNamingIt() throws Exception {
        Path unknown = Files.writeString(dir.resolve("unknown.json"), "{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {}}}");
        UserError e;
        try (HfTokenizer hf = assertInstanceOf(HfTokenizer.class, TokenizerJson.open(unknown))) {
            e = assertThrows(UserError.class, () -> hf.encode("x"));
        }
        assertTrue(e.getMessage().startsWith(unknown + ": Hugging Face tokenizers cannot load it"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "not json at all");
        assertTrue(assertThrows(UserError.class, () -> TokenizerJson.open(garbage)).getMessage().contains("not valid JSON"));
        Path truncated = Files.writeString(dir.resolve("truncated.json"), "{\"added_tokens\": [], \"model\": {\"vocab\": {\"a\": 1,");
        assertTrue(assertThrows(UserError.class, () -> TokenizerJson.open(truncated)).getMessage().contains("not valid JSON"));
    }

    @Test
    void usedAfterCloseIsRefused() {
        HfTokenizer qwen = HfTokenizer.load(HfReference.tokenizerJson("qwen3"));
        qwen.close();
        qwen.close();
        assertThrows(IllegalStateException.class, () -> qwen.encode("x"));
    }
}
