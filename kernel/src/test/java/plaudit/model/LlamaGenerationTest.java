package plaudit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KV-cache generation of the Llama family against the plain forward pass ({@link Llama#logits(NDArray)}, the one
 * {@link LlamaParityTest} checks against PyTorch): greedy decoding with the cache, alone or left-padded in a batch,
 * gives the tokens that recomputing the whole sequence for every token gives.
 */
class LlamaGenerationTest {
    private static final int[][] PROMPTS = {{5}, {7, 11, 13, 17}, {19, 23, 29, 31, 37, 41, 43}};

    @TempDir
    Path tmp;

    private Llama open(String name, LlamaConfig cfg) {
        return LlamaCheckpoint.read(TinyLlamas.write(tmp.resolve(name), cfg, 11, Safetensors.DType.F32, 1)).model(Device.cpu());
    }

    private static SamplingConfig greedy(int maxNew) {
        return SamplingConfig.defaults().withTemperature(0).withMaxNewTokens(maxNew);
    }

    /** Greedy decoding of one prompt by running the full sequence through the cache-free forward for every token. */
    private static int[] referenceGreedy(Llama model, int[] prompt, int maxNew, int[] stop) {
        int[] seq = prompt.clone();
        for (int step = 0; step < maxNew; step++) {
            float[] last;
            try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                long[] ids = Arrays.stream(seq).asLongStream().toArray();
                NDArray logits = model.forward(m.create(ids).reshape(1, seq.length), null, null, null, false);
                float[] all = logits.toFloatArray();
                last = Arrays.copyOfRange(all, all.length - model.vocabSize(), all.length);
            }
            int best = 0;
            for (int i = 1; i < last.length; i++) if (last[i] > last[best]) best = i;
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = best;
            final int token = best;
            if (Arrays.stream(stop).anyMatch(s -> s == token)) break;
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    @Test
    void cachedGreedyEqualsFullRecomputationForEachFamily() {
        LlamaConfig[] configs = {TinyLlamas.llama(), TinyLlamas.llama3(), TinyLlamas.qwen2(), TinyLlamas.qwen3()};
        for (int c = 0; c < configs.length; c++) {
            try (Llama model = open("m" + c, configs[c])) {
                for (int[] prompt : PROMPTS) {
                    int[] expected = referenceGreedy(model, prompt, 12, new int[0]);
                    String label = configs[c].modelType() + " prompt " + Arrays.toString(prompt);
                    assertArrayEquals(expected, Generator.generate(model, List.of(prompt), greedy(12), new int[0], true)
                            .tokens()[0], label + " with the cache");
                    assertArrayEquals(expected, Generator.generate(model, List.of(prompt), greedy(12), new int[0], false)
                            .tokens()[0], label + " without the cache");
                }
            }
        }
    }

    /** Prompts of lengths 1, 4 and 7 left-padded into one batch: each row is what that prompt gives alone. */
    @Test
    void leftPaddedBatchRowsEqualEachPromptAlone() {
        LlamaConfig[] configs = {TinyLlamas.llama(), TinyLlamas.qwen2(), TinyLlamas.qwen3()};
        for (int c = 0; c < configs.length; c++) {
            try (Llama model = open("b" + c, configs[c])) {
                Generation batch = Generator.generate(model, List.of(PROMPTS), greedy(10), new int[0], true);
                for (int r = 0; r < PROMPTS.length; r++) {
                    assertArrayEquals(referenceGreedy(model, PROMPTS[r], 10, new int[0]), batch.tokens()[r],
                            configs[c].modelType() + " row " + r);
                }
            }
        }
    }

    /** Rows stop at whichever of several eos ids they draw first, each kept as the row's last token. */
    @Test
    void stopsAtAnyOfSeveralEosIds() {
        try (Llama model = open("eos", TinyLlamas.llama())) {
            int[] a = referenceGreedy(model, PROMPTS[1], 12, new int[0]);
            int[] b = referenceGreedy(model, PROMPTS[2], 12, new int[0]);
            int[] stop = {a[2], b[3]};
            assertNotEquals(stop[0], stop[1], "the test needs two different eos ids; pick other positions");
            Generation g = Generator.generate(model, List.of(PROMPTS[1], PROMPTS[2]), greedy(12), stop, true);
            int[][] expected = {referenceGreedy(model, PROMPTS[1], 12, stop), referenceGreedy(model, PROMPTS[2], 12, stop)};
            for (int r = 0; r < 2; r++) {
                assertArrayEquals(expected[r], g.tokens()[r], "row " + r);
                assertTrue(g.endedWithEos()[r], "row " + r + " ended at an eos id");
                assertTrue(g.tokens()[r].length < 12);
            }
            assertNotEquals(g.tokens()[0][g.tokens()[0].length - 1], g.tokens()[1][g.tokens()[1].length - 1],
                    "the rows ended at different eos ids");
            Generation none = Generator.generate(model, List.of(PROMPTS[1]), greedy(12), new int[0], true);
            assertFalse(none.endedWithEos()[0]);
            assertEquals(12, none.tokens()[0].length);
        }
    }

    /** Sampling at temperature 1 draws the same tokens with and without the cache (same seeds, same logits). */
    @Test
    void cachedSamplingEqualsUncached() {
        try (Llama model = open("s", TinyLlamas.qwen3())) {
            SamplingConfig cfg = SamplingConfig.defaults().withMaxNewTokens(10).withSeed(5).withTopK(20);
            List<int[]> prompts = List.of(PROMPTS);
            Generation cached = Generator.generate(model, prompts, cfg, new int[0], true);
            Generation full = Generator.generate(model, prompts, cfg, new int[0], false);
            for (int r = 0; r < prompts.size(); r++) assertArrayEquals(full.tokens()[r], cached.tokens()[r], "row " + r);
        }
    }

    @Test
    void eosIdsFromGenerationConfigThenConfig() throws Exception {
        Path dir = TinyLlamas.write(tmp.resolve("ids"), TinyLlamas.llama(), 1, Safetensors.DType.F32, 1);
        assertArrayEquals(new int[] {2, 3}, EndOfSequence.ids(dir, 61), "config.json's list");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 7, \"do_sample\": true}");
        assertArrayEquals(new int[] {7}, EndOfSequence.ids(dir, 61), "generation_config.json's int wins");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [60, 4]}");
        assertArrayEquals(new int[] {60, 4}, EndOfSequence.ids(dir, 61));
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [4, 61]}");
        UserError e = assertThrows(UserError.class, () -> EndOfSequence.ids(dir, 61));
        assertTrue(e.getMessage().contains("generation_config.json: eos_token_id [4,61] must be a token id in [0, 61)"),
                e.getMessage());
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"2\"}");
        assertThrows(UserError.class, () -> EndOfSequence.ids(dir, 61));
    }
}
