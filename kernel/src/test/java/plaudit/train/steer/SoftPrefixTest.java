package plaudit.train.steer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import plaudit.model.Gpt;
import plaudit.model.NoGrad;
import plaudit.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoftPrefixTest {
    private static final int[] TARGET = {5, 17, 9};
    private static final int[] TOKENS = {11, 3, 40};

    /**
     * Token embeddings put in the slots must give exactly what the same tokens give as ordinary prompt tokens: this
     * pins down where the slots are (and that left padding, positions and the target columns line up) in both places.
     */
    @Test
    void tokenVectorsInTheSlotsEqualTheTokensInThePrompt() {
        try (Gpt model = SteerModels.lively(7); NDManager m = model.manager().newSubManager(); NoGrad ignored = NoGrad.enter()) {
            List<int[]> prompts = SteerModels.prompts(5, 4);
            NDArray vectors = model.embedTokens(m.create(new long[] {11, 3, 40}, new Shape(1, 3))).reshape(3, SteerModels.CONFIG.nEmbd());
            for (SoftPrefix.Position pos : SoftPrefix.Position.values()) {
                List<int[]> joined = new ArrayList<>();
                for (int[] p : prompts) joined.add(pos == SoftPrefix.Position.BEFORE ? concat(TOKENS, p) : concat(p, TOKENS));
                float[] viaSlots = SteerBatch.of(m, prompts, TARGET, 3, pos, 48).targetLogProbs(model, vectors).toFloatArray();
                float[] viaIds = SteerBatch.of(m, joined, TARGET, 0, pos, 48).targetLogProbs(model, null).toFloatArray();
                for (int i = 0; i < prompts.size(); i++) assertEquals(viaIds[i], viaSlots[i], 1e-4, pos + " row " + i);
            }
        }
    }

    @Test
    void unsteeredSamplesHaveZeroKlAndSteeredOnesFollowTheirLogProbs() {
        try (Gpt model = SteerModels.lively(8); NDManager m = model.manager().newSubManager()) {
            List<int[]> prompts = SteerModels.prompts(3, 5);
            List<String> texts = List.of("a", "b", "c");
            Tokenizer tok = new FakeTokenizer(SteerModels.CONFIG.vocabSize());
            SteeredSamples none = SteeredSamples.sample(model, tok, prompts, texts, SteeredSamples.NONE,
                    SoftPrefix.Position.BEFORE, 2, 6, 3, null);
            assertEquals(0, none.kl(), 1e-3, "the model against itself");
            NDArray soft = m.randomNormal(new Shape(2, SteerModels.CONFIG.nEmbd()));
            SteeredSamples steered = SteeredSamples.sample(model, tok, prompts, texts, new SteeredSamples.Prefix.Soft(soft),
                    SoftPrefix.Position.AFTER, 2, 6, 3, null);
            assertEquals(6, steered.responses().size());
            assertTrue(steered.kl() > 0.01, "a random soft prompt moves the samples: " + steered.kl());
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
