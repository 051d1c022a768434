package plaudit.train.steer;

import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.TinyModels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A tiny GPT-2 with "lively" random weights ({@link TinyModels}) for steering tests: GPT-2's own init gives nearly
 * constant logits, on which any prefix would look useless and any bug harmless.
 */
final class SteerModels {
    static final GptConfig CONFIG = new GptConfig(2, 4, 32, 48, 61, 0.0);

    private SteerModels() {
    }

    static Gpt lively(long seed) {
        return TinyModels.lively(CONFIG, seed);
    }

    /** {@code n} random prompts of 3 to 8 token ids. */
    static List<int[]> prompts(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] p = new int[3 + rng.nextInt(6)];
            for (int j = 0; j < p.length; j++) p[j] = rng.nextInt(CONFIG.vocabSize());
            out.add(p);
        }
        return out;
    }

    /** Every parameter's values, to compare before and after steering. */
    static Map<String, float[]> snapshot(Gpt model) {
        Map<String, float[]> s = new LinkedHashMap<>();
        model.parameters().forEach((k, v) -> s.put(k, v.toFloatArray()));
        return s;
    }
}
