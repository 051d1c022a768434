package plaudit.cli;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.cli.CliRun.Result;
import plaudit.model.EndOfSequence;
import plaudit.model.Generation;
import plaudit.model.Generator;
import plaudit.model.Llama;
import plaudit.model.LlamaCheckpoint;
import plaudit.model.LlamaConfig;
import plaudit.model.Safetensors;
import plaudit.model.SamplingConfig;
import plaudit.model.TinyLlamas;
import plaudit.text.HfReference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code plaudit sample} on a Llama-family folder: a tiny random llama with a word-level {@code tokenizer.json} (read
 * by Hugging Face's library, as Llama 3's and Qwen's are) prints the prompt and the model's continuation, stopping at
 * the folder's end-of-sequence ids, in the format it prints for GPT-2.
 */
class SampleCommandTest {
    @TempDir
    Path tmp;

    /** A tiny llama (vocab 61, eos_token_id [2, 3], bos_token_id 1) with the tokenizer "w0" .. "w60". */
    private Path folder() throws Exception {
        Path dir = TinyLlamas.write(tmp.resolve("llama"), TinyLlamas.llama(), 5, Safetensors.DType.F32, 1);
        String vocab = IntStream.range(0, TinyLlamas.llama().vocabSize()).mapToObj(i -> "\"w" + i + "\": " + i)
                .collect(Collectors.joining(", "));
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null,"
                + " \"added_tokens\": [], \"normalizer\": null, \"pre_tokenizer\": {\"type\": \"Whitespace\"},"
                + " \"post_processor\": null, \"decoder\": null,"
                + " \"model\": {\"type\": \"WordLevel\", \"vocab\": {" + vocab + "}, \"unk_token\": \"w0\"}}");
        return dir;
    }

    private static String words(int[] ids) {
        StringJoiner j = new StringJoiner(" ");
        for (int id : ids) j.add("w" + id);
        return j.toString();
    }

    @Test
    void greedySampleOnALlamaFolderPrintsTheModelsContinuation() throws Exception {
        Path dir = folder();
        Result r = CliRun.run("sample", "--checkpoint", dir.toString(), "--prompt", "w5 w7 w9", "--max-tokens", "8",
                "--temperature", "0");
        assertEquals(0, r.status(), r.err());

        LlamaConfig cfg = TinyLlamas.llama();
        try (Llama model = LlamaCheckpoint.read(dir).model(Device.cpu())) {
            Generation g = Generator.generate(model, List.of(new int[] {5, 7, 9}),
                    SamplingConfig.defaults().withTemperature(0).withMaxNewTokens(8), EndOfSequence.ids(dir, cfg.vocabSize()), true);
            int[] resp = g.tokens()[0];
            int[] shown = g.endedWithEos()[0] ? Arrays.copyOf(resp, resp.length - 1) : resp;
            assertEquals("w5 w7 w9" + words(shown) + "\n", r.out());
        }
    }

    /** Llama 3's real tokenizer.json (fetched at set-up) on a tiny random model with its vocabulary of 128,256 ids. */
    @Test
    void llama3TokenizerFolderSamplesText() throws Exception {
        LlamaConfig cfg = new LlamaConfig("llama", 128_256, 16, 24, 1, 2, 1, 8, 64, 1e-5, 500_000, null, true, false, false);
        Path dir = TinyLlamas.write(tmp.resolve("llama3"), cfg, 3, Safetensors.DType.BF16, 1);
        Files.copy(HfReference.tokenizerJson("llama3"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 128000, \"eos_token_id\": [128001, 128009]}");
        Result r = CliRun.run("sample", "--checkpoint", dir.toString(), "--prompt", "Hello, my dog is cute",
                "--max-tokens", "6", "--seed", "4");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("Hello, my dog is cute") && r.out().length() > "Hello, my dog is cute\n".length(), r.out());
    }

    @Test
    void severalSamplesAndAnEmptyPromptStartAtBos() throws Exception {
        Path dir = folder();
        Result r = CliRun.run("sample", "--checkpoint", dir.toString(), "--num", "3", "--max-tokens", "5", "--seed", "2");
        assertEquals(0, r.status(), r.err());
        assertEquals(3, r.out().lines().filter(l -> l.startsWith("--- sample ")).count(), r.out());
        assertTrue(r.out().lines().filter(l -> !l.startsWith("--- sample ")).allMatch(l -> l.isEmpty() || l.matches("w\\d+( w\\d+)*")),
                r.out());
    }

    @Test
    void aFolderWithoutTokenizerJsonIsRefusedInOneLine() throws Exception {
        Path dir = folder();
        Files.delete(dir.resolve("tokenizer.json"));
        Result r = CliRun.run("sample", "--checkpoint", dir.toString());
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(dir.resolve("tokenizer.json") + ": not found; plaudit sample needs the model's"
                + " tokenizer.json"), r.err());
    }
}
