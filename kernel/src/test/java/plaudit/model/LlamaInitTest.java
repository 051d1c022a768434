package plaudit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Llama#init}: Hugging Face's initialisation (normal(0, 0.02), biases 0, norm gains 1), fixed by the seed. */
class LlamaInitTest {
    /** Qwen2's biases and Qwen3's q/k norms are in the tiny configs, so every kind of tensor is drawn. */
    private static final LlamaConfig[] CONFIGS = {TinyLlamas.llama(), TinyLlamas.qwen2(), TinyLlamas.qwen3()};

    @Test
    void sameSeedSameWeightsOtherSeedOthers() {
        for (LlamaConfig cfg : CONFIGS) {
            try (Llama a = Llama.init(cfg, Device.cpu(), 7); Llama b = Llama.init(cfg, Device.cpu(), 7);
                 Llama c = Llama.init(cfg, Device.cpu(), 8)) {
                assertEquals(Llama.parameterShapes(cfg).keySet(), a.parameters().keySet());
                for (Map.Entry<String, NDArray> e : a.parameters().entrySet()) {
                    String name = e.getKey();
                    float[] v = e.getValue().toFloatArray();
                    assertEquals(Llama.parameterShapes(cfg).get(name), e.getValue().getShape(), name);
                    assertArrayEquals(v, b.parameters().get(name).toFloatArray(), 0f, name);
                    boolean random = name.endsWith(".weight") && !name.endsWith("norm.weight");
                    assertEquals(random, !Arrays.equals(v, c.parameters().get(name).toFloatArray()), name);
                }
            }
        }
    }

    @Test
    void normsAreOneBiasesZeroWeightsOfStd002() {
        for (LlamaConfig cfg : CONFIGS) {
            try (Llama m = Llama.init(cfg, Device.cpu(), 1)) {
                double sum = 0, sq = 0;
                long n = 0;
                for (Map.Entry<String, NDArray> e : m.parameters().entrySet()) {
                    float[] v = e.getValue().toFloatArray();
                    String name = e.getKey();
                    for (float x : v) {
                        if (name.endsWith("norm.weight")) assertEquals(1f, x, 0f, name);
                        else if (name.endsWith(".bias")) assertEquals(0f, x, 0f, name);
                        else {
                            sum += x;
                            sq += x * x;
                            n++;
                        }
                    }
                }
                // tens of thousands of draws: the sample std is within 2% of 0.02, the mean within 4 standard errors of 0
                double mean = sum / n;
                assertEquals(0.02, Math.sqrt(sq / n - mean * mean), 0.0004, cfg.modelType());
                assertEquals(0, mean, 4 * 0.02 / Math.sqrt(n), cfg.modelType());
                float[] lp = m.sequenceLogProbs(new int[] {1, 5, 9, 2, 7});
                for (float x : lp) assertTrue(Float.isFinite(x) && x < 0, "log-prob " + x);
                assertFalse(lp.length == 0);
            }
        }
    }
}
