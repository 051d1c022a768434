package plaudit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LoRA's adapters on the Llama family: PEFT's init, names and merge arithmetic, PEFT files round-trip, and bad configs
 * or adapters are refused in one line. What the LoRA view does for every family is {@link LoraLmTest}'s.
 */
class LoraTest {
    private static final List<String> ALL = LoraConfig.LLAMA_MODULES;

    @TempDir
    Path tmp;

    private Llama base(LlamaConfig cfg) {
        return LlamaCheckpoint.read(TinyLlamas.write(tmp.resolve(cfg.modelType() + "-" + cfg.headDim()), cfg, 7,
                Safetensors.DType.F32, 1)).model(Device.cpu());
    }

    static void assertOneLine(UserError e, String... parts) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), e.getMessage());
    }

    /** PEFT's init: A uniform in ±1/sqrt(in) (kaiming-uniform, a = sqrt(5)), B zeros, names and shapes as PEFT's. */
    @Test
    void initialisesLikePeft() {
        LlamaConfig cfg = TinyLlamas.llama();
        try (Llama base = base(cfg);
             LoraAdapters lora = LoraAdapters.init(new LoraConfig(4, 16, 0, List.of("q_proj", "down_proj")), base, 3)) {
            Map<String, NDArray> p = lora.parameters();
            assertEquals(2 * 2 * cfg.numHiddenLayers(), p.size());
            NDArray a = p.get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
            assertEquals(new Shape(4, cfg.hiddenSize()), a.getShape());
            double bound = 1 / Math.sqrt(cfg.hiddenSize());
            for (float v : a.toFloatArray()) assertTrue(Math.abs(v) <= bound);
            assertTrue(a.abs().max().getFloat() > 0.8 * bound, "A spans its range");
            NDArray down = p.get("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight");
            assertEquals(new Shape(cfg.hiddenSize(), 4), down.getShape());
            assertEquals(0f, down.abs().sum().getFloat());
            assertEquals(4.0, lora.config().scaling());
        }
    }

    @Test
    void theMergedWeightIsWPlusScaledBA() {
        LlamaConfig cfg = TinyLlamas.llama3();
        try (Llama model = base(cfg); LoraLm lora = LoraLm.init(model, new LoraConfig(4, 8, 0, ALL), 2);
             NDManager m = Engine.getEngine("PyTorch").newBaseManager(Device.cpu())) {
            TinyModels.randomiseLoraB(lora);
            Map<String, NDArray> merged = lora.weights(m);
            // the merged weight is W + (lora_alpha / r) · B A, derived on the heap (r = 4, lora_alpha = 8: factor 2)
            String q = "model.layers.1.self_attn.q_proj";
            float[] w = model.parameters().get(q + ".weight").toFloatArray();
            float[] a = lora.parameters().get("base_model.model." + q + ".lora_A.weight").toFloatArray();
            float[] b = lora.parameters().get("base_model.model." + q + ".lora_B.weight").toFloatArray();
            float[] got = merged.get(q + ".weight").toFloatArray();
            int h = cfg.hiddenSize();
            for (int o = 0; o < h; o++) {
                for (int i = 0; i < h; i++) {
                    double ba = 0;
                    for (int k = 0; k < 4; k++) ba += b[o * 4 + k] * a[k * h + i];
                    assertEquals(w[o * h + i] + 2 * ba, got[o * h + i], 1e-6, "merged q_proj [" + o + ", " + i + "]");
                }
            }
            assertArrayEquals(model.parameters().get("model.norm.weight").toFloatArray(),
                    merged.get("model.norm.weight").toFloatArray(), "weights LoRA does not adapt are copied as they are");
        }
    }

    @Test
    void saveLoadRoundTripGivesIdenticalLogits() throws Exception {
        LlamaConfig cfg = TinyLlamas.qwen2();
        Path dir = tmp.resolve("adapter");
        try (Llama model = base(cfg);
             LoraLm lora = LoraLm.init(model, new LoraConfig(2, 4, 0.1, List.of("v_proj", "q_proj")), 4)) {
            TinyModels.randomiseLoraB(lora);
            float[] saved = LoraLmTest.logits(lora, false);
            lora.save(dir, "tiny-qwen2");
            try (LoraLm loaded = LoraLm.load(model, dir)) {
                assertEquals(lora.config(), loaded.config());
                assertArrayEquals(saved, LoraLmTest.logits(loaded, false));
                assertFalse(Arrays.equals(saved, LoraLmTest.logits(model, false)));
            }
        }
        JsonNode j = TinyLlamas.JSON.readTree(dir.resolve(LoraAdapters.CONFIG).toFile());
        assertEquals(2, j.get("r").asInt());
        assertEquals(4.0, j.get("lora_alpha").asDouble());
        assertEquals("tiny-qwen2", j.get("base_model_name_or_path").asText());
        assertEquals("[\"v_proj\",\"q_proj\"]", j.get("target_modules").toString());
        assertFalse(j.get("fan_in_fan_out").asBoolean());
        try (Safetensors.Reader r = Safetensors.open(dir.resolve(LoraAdapters.WEIGHTS))) {
            assertTrue(r.has("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"));
            assertEquals(8, r.names().size());
        }
    }

    @Test
    void refusesBadConfigsInOneLine() {
        assertOneLine(assertThrows(UserError.class, () -> new LoraConfig(0, 8, 0, ALL)), "lora r", "0");
        assertOneLine(assertThrows(UserError.class, () -> new LoraConfig(4, -1, 0, ALL)), "lora_alpha");
        assertOneLine(assertThrows(UserError.class, () -> new LoraConfig(4, 8, 1, ALL)), "lora_dropout");
        assertOneLine(assertThrows(UserError.class, () -> new LoraConfig(4, 8, 0, List.of("q_proj", "qkv"))),
                "target_modules", "'qkv'", "q_proj");
        try (Llama base = base(TinyLlamas.llama())) {
            assertOneLine(assertThrows(UserError.class,
                    () -> LoraAdapters.init(new LoraConfig(4, 8, 0, List.of("c_attn")), base, 1)), "'c_attn'", "llama");
        }
    }

    @Test
    void refusesAnAdapterOfAnotherBase() throws Exception {
        Path dir = tmp.resolve("adapter");
        try (Llama base = base(TinyLlamas.llama()); Llama qwen3 = base(TinyLlamas.qwen3())) {
            try (LoraLm lora = LoraLm.init(base, new LoraConfig(2, 4, 0, List.of("q_proj")), 4)) {
                lora.save(dir, "tiny");
            }
            // qwen3's head_dim 12 makes q_proj [48, 32], not [32, 32]
            assertOneLine(assertThrows(UserError.class, () -> LoraAdapters.load(dir, qwen3)),
                    "layers.0.self_attn.q_proj.lora_B.weight", "[48, 2]");
            Path config = dir.resolve(LoraAdapters.CONFIG);
            Files.writeString(config, Files.readString(config).replace("\"q_proj\"", "\"q_proj\", \"k_proj\""));
            assertOneLine(assertThrows(UserError.class, () -> LoraAdapters.load(dir, base)),
                    "k_proj.lora_A.weight", "missing");
            Files.writeString(config, Files.readString(config).replace("\"q_proj\", \"k_proj\"", "\"v_proj\""));
            assertOneLine(assertThrows(UserError.class, () -> LoraAdapters.load(dir, base)),
                    "unexpected tensor", "q_proj.lora_A.weight");
            Files.writeString(config, Files.readString(config).replace("\"r\" : 2", "\"r\" : 0"));
            assertOneLine(assertThrows(UserError.class, () -> LoraAdapters.load(dir, base)),
                    LoraAdapters.CONFIG, "lora r");
        }
    }
}
