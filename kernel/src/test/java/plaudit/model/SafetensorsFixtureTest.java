package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads the folder written by {@code scripts/make-safetensors-fixture.py} (Python stdlib only), an independent
 * implementation of the format, and checks every value against the script's formula.
 */
class SafetensorsFixtureTest {
    static final GptConfig TINY = new GptConfig(1, 2, 8, 6, 11, 0.1);

    static Path fixtureDir() {
        try {
            return Path.of(SafetensorsFixtureTest.class.getResource("/model/hf-tiny-gpt2/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The script's value(name, i). */
    static float expected(String name, int i) {
        int seed = name.chars().sum();
        return (float) (((seed * 31 + i * 7) % 97 - 48) / 64.0);
    }

    @Test
    void readsEveryTensorOfTheIndependentWriter() {
        try (Safetensors.Reader r = Safetensors.open(fixtureDir().resolve("model.safetensors"))) {
            assertEquals(Map.of("format", "pt"), r.metadata());
            assertEquals(Safetensors.DType.F16, r.entry("h.0.ln_1.weight").dtype());
            assertEquals(Safetensors.DType.F32, r.entry("h.0.mlp.c_fc.weight").dtype());
            assertEquals(HfGpt2.parameterShapes(TINY).size() + 1, r.names().size());
            for (String name : r.names()) {
                if (name.equals("h.0.attn.bias")) continue;
                float[] values = r.read(name).values();
                for (int i = 0; i < values.length; i++) assertEquals(expected(name, i), values[i], name + "[" + i + "]");
            }
            TensorData mask = r.read("h.0.attn.bias");
            assertArrayEquals(new long[] {1, 1, 6, 6}, mask.shape());
            assertEquals(1f, mask.values()[6 + 1]);   // row 1, column 1
            assertEquals(0f, mask.values()[6 + 2]);   // row 1, column 2: the future is masked
        }
    }

    @Test
    void loadsTheFolderAsACheckpoint() {
        Checkpoint ckpt = Checkpoint.read(fixtureDir());
        assertEquals(TINY, ckpt.config());
        assertEquals(10, ckpt.eosTokenId().getAsInt());
        Checkpoint.TokenizerFiles tok = ckpt.tokenizerFiles();
        assertNull(tok.tokenizerJson());
        assertTrue(tok.hasVocabAndMerges());
        assertEquals(List.of("vocab.json", "merges.txt"), tok.present());
        assertTrue(ckpt.tensorNames().isEmpty());
        assertTrue(ckpt.jsonNames().isEmpty());
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> params = ckpt.parameters(m);
            assertEquals(HfGpt2.parameterShapes(TINY).keySet(), params.keySet());
            assertFalse(params.containsKey("transformer.h.0.attn.bias"));
            // known positions: c_attn.weight is [8, 24]; element (2, 5) is flat index 53
            assertEquals(expected("h.0.attn.c_attn.weight", 53),
                    params.get("transformer.h.0.attn.c_attn.weight").getFloat(2, 5));
            assertEquals(expected("h.0.ln_1.weight", 3), params.get("transformer.h.0.ln_1.weight").getFloat(3));
            assertEquals(expected("wte.weight", 10 * 8 + 7), params.get("transformer.wte.weight").getFloat(10, 7));
        }
    }
}
