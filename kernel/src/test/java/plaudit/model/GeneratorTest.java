package plaudit.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import plaudit.UserError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {

    private static final int V = TinyModels.CONFIG.vocabSize();
    private static final List<int[]> PROMPTS = List.of(new int[] {5, 17, 3, 90, 2}, new int[] {44}, new int[] {8, 8, 60});

    @Test
    void sameSeedSameOutputAndCacheMatchesNoCache() {
        SamplingConfig cfg = SamplingConfig.defaults().withMaxNewTokens(12).withSeed(42);
        try (Gpt model = TinyModels.lively(21)) {
            Generation a = Generator.generate(model, PROMPTS, cfg);
            Generation b = Generator.generate(model, PROMPTS, cfg);
            Generation noCache = Generator.generate(model, PROMPTS, cfg, false);
            Generation other = Generator.generate(model, PROMPTS, cfg.withSeed(43));
            assertTrue(Arrays.deepEquals(a.tokens(), b.tokens()));
            assertTrue(Arrays.deepEquals(a.logprobs(), b.logprobs()));
            assertTrue(Arrays.deepEquals(a.tokens(), noCache.tokens()));
            for (int r = 0; r < PROMPTS.size(); r++) {
                assertEquals(12, a.tokens()[r].length);
                assertFalse(a.endedWithEos()[r]);
                assertTrue(TinyModels.maxAbsDiff(a.logprobs()[r], noCache.logprobs()[r]) <= 1e-4);
            }
            assertFalse(Arrays.deepEquals(a.tokens(), other.tokens()), "another seed should sample differently");
        }
    }

    @Test
    void logprobsAreTheTemperedFullSoftmaxAtTheSampledTokens() {
        double temperature = 0.7;
        int topK = 10;
        SamplingConfig cfg = SamplingConfig.defaults().withMaxNewTokens(10).withTemperature(temperature)
                .withTopK(topK).withTopP(0.9).withSeed(7);
        try (Gpt model = TinyModels.lively(22); NDManager step = model.manager().newSubManager()) {
            Generation g = Generator.generate(model, PROMPTS, cfg);
            for (int r = 0; r < PROMPTS.size(); r++) {
                int[] prompt = PROMPTS.get(r);
                int[] response = g.tokens()[r];
                long[] seq = new long[prompt.length + response.length];
                for (int i = 0; i < prompt.length; i++) seq[i] = prompt[i];
                for (int i = 0; i < response.length; i++) seq[prompt.length + i] = response[i];
                // one unpadded full forward of prompt + response, no cache
                float[] logits = model.forward(step.create(seq, new Shape(1, seq.length)), null, null, null, false)
                        .toFloatArray();
                for (int j = 0; j < response.length; j++) {
                    int row = (prompt.length - 1 + j) * V;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < V; v++) max = Math.max(max, logits[row + v] / temperature);
                    double z = 0;
                    int rank = 0;
                    for (int v = 0; v < V; v++) {
                        z += Math.exp(logits[row + v] / temperature - max);
                        if (logits[row + v] > logits[row + response[j]]) rank++;
                    }
                    double expected = logits[row + response[j]] / temperature - max - Math.log(z);
                    assertEquals(expected, g.logprobs()[r][j], 1e-4, "row " + r + " token " + j);
                    assertTrue(rank < topK, "top-k must restrict the draw; rank " + rank);
                }
            }
        }
    }

    @Test
    void stopsAtEosAndKeepsIt() {
        SamplingConfig cfg = SamplingConfig.defaults().withMaxNewTokens(16).withSeed(3);
        try (Gpt model = TinyModels.lively(23)) {
            Generation free = Generator.generate(model, PROMPTS, cfg);
            int eos = free.tokens()[0][4]; // a token row 0 is known to draw
            Generation stopped = Generator.generate(model, PROMPTS, cfg.withEosId(eos));
            for (int r = 0; r < PROMPTS.size(); r++) {
                int[] all = free.tokens()[r];
                int first = -1;
                for (int i = 0; i < all.length && first < 0; i++) if (all[i] == eos) first = i;
                int[] expected = first < 0 ? all : Arrays.copyOf(all, first + 1);
                // each row has its own random stream, so stopping one row leaves the others' draws unchanged
                assertArrayEquals(expected, stopped.tokens()[r], "row " + r);
                assertEquals(first >= 0, stopped.endedWithEos()[r]);
                assertEquals(expected.length, stopped.logprobs()[r].length);
            }
            assertTrue(stopped.endedWithEos()[0]);
            assertTrue(stopped.tokens()[0].length <= 5);
        }
    }

    @Test
    void greedyBatchMatchesEachPromptAlone() {
        SamplingConfig greedy = SamplingConfig.defaults().withMaxNewTokens(8).withTemperature(0);
        try (Gpt model = TinyModels.lively(24)) {
            Generation batch = Generator.generate(model, PROMPTS, greedy);
            for (int r = 0; r < PROMPTS.size(); r++) {
                Generation alone = Generator.generate(model, List.of(PROMPTS.get(r)), greedy);
                assertArrayEquals(alone.tokens()[0], batch.tokens()[r], "row " + r);
            }
        }
    }

    @Test
    void promptTooLongIsAUserErrorNamingTheLengths() {
        try (Gpt model = TinyModels.lively(25)) { // block_size 24
            int[] longPrompt = new int[20];
            UserError e = assertThrows(UserError.class, () -> Generator.generate(model, List.of(new int[] {1}, longPrompt),
                    SamplingConfig.defaults().withMaxNewTokens(8)));
            assertTrue(e.getMessage().contains("prompt 1 has 20 tokens but block_size 24 - max_new_tokens 8 leaves room for 16"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("truncate"), e.getMessage());
            assertThrows(UserError.class, () -> Generator.generate(model, List.of(new int[] {V}),
                    SamplingConfig.defaults().withMaxNewTokens(2)));
            assertThrows(UserError.class, () -> SamplingConfig.defaults().withTopP(0));
        }
    }

    /**
     * {@code plaudit sample --num} draws in batches and writes each before the next (issue 27, item 3): the rows of
     * the batches are those of one big batch, and each batch reaches the sink on its own.
     */
    @Test
    void batchesDrawTheRowsOfOneBatchAndAreHandedOverOneAtATime() {
        SamplingConfig cfg = SamplingConfig.defaults().withMaxNewTokens(6).withSeed(11);
        int[] prompt = {5, 17, 3};
        try (Gpt model = TinyModels.lively(21)) {
            Generation whole = Generator.generate(model, Collections.nCopies(7, prompt), cfg);
            List<Integer> sizes = new ArrayList<>();
            List<int[]> rows = new ArrayList<>();
            Generator.generateInBatches(model, prompt, 7, 3, cfg, g -> {
                sizes.add(g.tokens().length);
                rows.addAll(Arrays.asList(g.tokens()));
            });
            assertEquals(List.of(3, 3, 1), sizes);
            assertTrue(Arrays.deepEquals(whole.tokens(), rows.toArray(int[][]::new)));
        }
    }

    @Test
    void batchRowsFollowTheKvCacheAndLogitsOfARow() {
        // a row: KV cache 2 (k, v) * 2 layers * 32 wide * (3 + 6) positions * 4 bytes = 4608; logits 97 * (4 + 8 + 8) = 1940
        assertEquals(10, Generator.batchRows(TinyModels.CONFIG, 3, 6, 10 * 6548 + 6547));
        assertEquals(1, Generator.batchRows(TinyModels.CONFIG, 3, 6, 10));
        assertEquals(1024, Generator.batchRows(TinyModels.CONFIG, 3, 6, Long.MAX_VALUE));
    }
}
