package plaudit.train.steer;

import org.junit.jupiter.api.Test;
import plaudit.model.Gpt;
import plaudit.text.Tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GreedyCoordinateGradientTest {
    private static final int[] TARGET = {7, 42};

    @Test
    void keptPrefixNeverHasAHigherLossAndTheSearchImproves() {
        try (Gpt model = SteerModels.lively(11)) {
            model.setTrainable(false);
            List<int[]> prompts = SteerModels.prompts(6, 3);
            boolean[] allowed = new boolean[SteerModels.CONFIG.vocabSize()];
            Arrays.fill(allowed, true);
            SplittableRandom rng = new SplittableRandom(4);
            int[] prefix = {1, 1, 1, 1};
            double first = Double.NaN, last = Double.NaN;
            for (int i = 0; i < 6; i++) {
                GreedyCoordinateGradient.Step s = GreedyCoordinateGradient.step(model, prompts, TARGET, prefix,
                        SoftPrefix.Position.BEFORE, allowed, 8, 16, rng);
                assertTrue(s.lossAfter() <= s.lossBefore(), "step " + i + ": " + s.lossBefore() + " -> " + s.lossAfter());
                double exact = GreedyCoordinateGradient.losses(model, prompts, TARGET, List.of(s.prefix()),
                        SoftPrefix.Position.BEFORE)[0];
                assertEquals(s.lossAfter(), exact, 1e-4, "the reported loss is the kept prefix's loss");
                if (i == 0) first = s.lossBefore();
                last = s.lossAfter();
                prefix = s.prefix();
            }
            assertTrue(last < first - 0.5, "six GCG steps lower the loss clearly: " + first + " -> " + last);
        }
    }

    @Test
    void onlyReadableTokensAreCandidates() {
        String[] text = {"\n", " ok", "<|endoftext|>", " caf\u00e9", "\t", ", then"};
        Tokenizer tok = new FakeTokenizer(text.length) {
            @Override
            public String decode(int[] ids) {
                return text[ids[0]];
            }

            @Override
            public int eosId() {
                return 2;
            }
        };
        boolean[] ok = GreedyCoordinateGradient.readable(tok, text.length);
        assertEquals("[false, true, false, false, false, true]", Arrays.toString(ok));
    }
}
