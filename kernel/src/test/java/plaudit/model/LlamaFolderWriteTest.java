package plaudit.model;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import plaudit.UserError;
import plaudit.text.HfReference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Checkpoint.Writer#model} writes a Llama-family model as a Hugging Face folder that Plaudit reopens as the same
 * model, with the tokenizer files and token ids of the folder it came from ({@link FolderTokenizer}).
 */
class LlamaFolderWriteTest {
    private static final int[] IDS = {1, 7, 42, 13, 5, 60, 2, 33, 8};

    static LlamaConfig config(String family) {
        return switch (family) {
            case "llama3" -> TinyLlamas.llama3();
            case "qwen2" -> TinyLlamas.qwen2();
            case "qwen3" -> TinyLlamas.qwen3();
            default -> TinyLlamas.llama();
        };
    }

    /** A tiny random model of {@code family} with Llama 3's tokenizer files beside it. */
    static Path source(Path dir, String family) throws IOException {
        TinyLlamas.write(dir, config(family), 11, Safetensors.DType.F32, 1);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(HfReference.dir("llama3").resolve(f), dir.resolve(f));
        }
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama3", "qwen2", "qwen3"})
    void aWrittenFolderReopensAsTheSameModelWithItsTokenizer(String family, @TempDir Path tmp) throws IOException {
        Path src = source(tmp.resolve("src"), family);
        Path out = tmp.resolve("out");
        try (FolderTokenizer tok = FolderTokenizer.open(src); Llama model = LlamaCheckpoint.read(src).model(Device.cpu())) {
            Checkpoint.writer().model(model).tokenizer(tok).write(out);
            assertEquals(config(family), LlamaConfig.read(out.resolve("config.json")));
            try (CausalLm back = ModelFolder.open(out, Device.cpu())) {
                assertEquals(family.startsWith("llama") ? "llama" : family, back.modelType());
                assertArrayEquals(model.sequenceLogProbs(IDS), back.sequenceLogProbs(IDS));
            }
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(src.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        // the source named bos 1 and eos [2, 3] in config.json only: both travel, and a generation config says them
        ObjectNode config = (ObjectNode) TinyLlamas.JSON.readTree(out.resolve("config.json").toFile());
        assertEquals(1, config.get("bos_token_id").intValue());
        assertEquals("[2,3]", config.get("eos_token_id").toString());
        assertEquals("float32", config.get("torch_dtype").textValue());
        assertArrayEquals(new int[] {2, 3}, EndOfSequence.ids(out, 61));
        assertEquals("[2,3]", TinyLlamas.JSON.readTree(out.resolve("generation_config.json").toFile())
                .get("eos_token_id").toString());
    }

    @Test
    void theSourcesGenerationConfigTravelsUnchangedAndItsEosListStopsGeneration(@TempDir Path tmp) throws IOException {
        Path src = source(tmp.resolve("src"), "llama");
        String generation = "{\"bos_token_id\": 1, \"eos_token_id\": [4, 9, 2], \"do_sample\": true}";
        Files.writeString(src.resolve("generation_config.json"), generation);
        Path out = tmp.resolve("out");
        try (FolderTokenizer tok = FolderTokenizer.open(src); Llama model = LlamaCheckpoint.read(src).model(Device.cpu())) {
            assertArrayEquals(new int[] {4, 9, 2}, tok.eosIds());
            assertEquals(4, tok.eosId(), "the first end-of-sequence id ends a demonstration");
            assertArrayEquals(new int[] {4, 9, 2}, FolderTokenizer.stopIds(tok));
            Checkpoint.writer().model(model).tokenizer(tok).write(out);
        }
        assertEquals(generation, Files.readString(out.resolve("generation_config.json")));
        try (FolderTokenizer tok = FolderTokenizer.open(out)) {
            assertArrayEquals(new int[] {4, 9, 2}, tok.eosIds(), "read back from the written folder");
        }
    }

    @Test
    void withoutAFolderTokenizerNoTokenIdsAreInvented(@TempDir Path tmp) throws IOException {
        Path src = source(tmp.resolve("src"), "qwen3");
        try (Llama model = LlamaCheckpoint.read(src).model(Device.cpu())) {
            Checkpoint.writer().model(model).write(tmp.resolve("out"));
        }
        ObjectNode config = (ObjectNode) TinyLlamas.JSON.readTree(tmp.resolve("out/config.json").toFile());
        assertFalse(config.has("eos_token_id"));
        assertFalse(Files.exists(tmp.resolve("out/generation_config.json")));
        assertFalse(Files.exists(tmp.resolve("out/tokenizer.json")));
    }

    @Test
    void aTokenizerLargerThanTheModelsVocabularyIsRefusedNamingBoth(@TempDir Path tmp) throws IOException {
        Path src = source(tmp.resolve("src"), "llama");
        UserError e = assertThrows(UserError.class, () -> ModelFolder.tokenizer(src));
        assertEquals(src + ": tokenizer.json has 128256 ids but config.json's vocab_size is 61; the tokenizer belongs"
                + " to another model, use the model's own", e.getMessage());
    }
}
