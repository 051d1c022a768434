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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LoRA on the Llama family: zero B is the base exactly, the adapted forward pass equals the base with merged weights,
 * PEFT files round-trip, and bad configs or adapters are refused in one line.
 */
class LoraTest {
    private static final List<String> ALL = LoraConfig.LLAMA_MODULES;

    @TempDir
    Path tmp;

    private Llama base(LlamaConfig cfg) {
        return LlamaCheckpoint.read(TinyLlamas.write(tmp.resolve("base"), cfg, 7, Safetensors.DType.F32, 1))
                .model(Device.cpu());
    }

    /** Logits {@code [2, 6, V]} of two fixed rows, flattened. */
    private static float[] logits(Llama model) {
        SplittableRandom rng = new SplittableRandom(11);
        long[] ids = new long[12];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(model.vocabSize());
        try (NDManager m = model.manager().newSubManager()) {
            return model.forward(m.create(ids, new Shape(2, 6)), null, null, null, false).toFloatArray();
        }
    }

    /** Overwrites every B with seeded values of std 0.1, as after some training. */
    private static void randomiseB(LoraAdapters lora) {
        SplittableRandom rng = new SplittableRandom(5);
        lora.parameters().forEach((name, a) -> {
            if (!name.endsWith("lora_B.weight")) return;
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * 0.1);
            a.set(v);
        });
    }

    private static void assertOneLine(UserError e, String... parts) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), e.getMessage());
    }

    @Test
    void zeroBIsTheBaseExactlyAndDetachingRestoresIt() {
        for (LlamaConfig cfg : new LlamaConfig[] {TinyLlamas.llama(), TinyLlamas.qwen3()}) {
            try (Llama model = base(cfg);
                 LoraAdapters lora = LoraAdapters.init(new LoraConfig(4, 8, 0.05, ALL), cfg, 1, Device.cpu())) {
                float[] before = logits(model);
                model.attach(lora);
                assertArrayEquals(before, logits(model));
                randomiseB(lora);
                float[] adapted = logits(model);
                assertFalse(Arrays.equals(before, adapted), "a non-zero B must change the logits");
                model.attach(null);
                assertArrayEquals(before, logits(model));
            }
            deleteBase();
        }
    }

    /** PEFT's init: A uniform in ±1/sqrt(in) (kaiming-uniform, a = sqrt(5)), B zeros, names and shapes as PEFT's. */
    @Test
    void initialisesLikePeft() {
        LlamaConfig cfg = TinyLlamas.llama();
        try (LoraAdapters lora = LoraAdapters.init(new LoraConfig(4, 16, 0, List.of("q_proj", "down_proj")), cfg, 3,
                Device.cpu())) {
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
    void adaptedLogitsEqualTheMergedBase() throws Exception {
        LlamaConfig cfg = TinyLlamas.llama3();
        try (Llama model = base(cfg);
             LoraAdapters lora = LoraAdapters.init(new LoraConfig(4, 8, 0, ALL), cfg, 2, Device.cpu())) {
            randomiseB(lora);
            model.attach(lora);
            float[] adapted = logits(model);
            NDManager m = Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
            Map<String, NDArray> merged = lora.merged(model.parameters(), m);
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
            Path folder = tmp.resolve("merged");
            try (Llama mergedModel = new Llama(cfg, Device.cpu(), m, merged)) {
                float[] expected = logits(mergedModel);
                for (int i = 0; i < expected.length; i++) assertEquals(expected[i], adapted[i], 1e-5, "logit " + i);
                // a merged Hugging Face folder: the base's config.json and the merged weights
                Files.createDirectories(folder);
                Files.copy(tmp.resolve("base").resolve(Checkpoint.CONFIG), folder.resolve(Checkpoint.CONFIG));
                Safetensors.writer().metadata("format", "pt").tensors(merged).write(folder.resolve("model.safetensors"));
            }
            try (Llama reloaded = LlamaCheckpoint.read(folder).model(Device.cpu())) {
                float[] expected = logits(reloaded);
                for (int i = 0; i < expected.length; i++) assertEquals(expected[i], adapted[i], 1e-5, "logit " + i);
            }
            model.attach(null);
            float[] base = logits(model);
            assertFalse(Arrays.equals(base, adapted));
        }
    }

    @Test
    void saveLoadRoundTripGivesIdenticalLogits() throws Exception {
        LlamaConfig cfg = TinyLlamas.qwen2();
        Path dir = tmp.resolve("adapter");
        float[] saved;
        try (Llama model = base(cfg);
             LoraAdapters lora = LoraAdapters.init(new LoraConfig(2, 4, 0.1, List.of("v_proj", "q_proj")), cfg, 4,
                     Device.cpu())) {
            randomiseB(lora);
            model.attach(lora);
            saved = logits(model);
            lora.save(dir, "tiny-qwen2");
            try (LoraAdapters loaded = LoraAdapters.load(dir, cfg, Device.cpu())) {
                assertEquals(lora.config(), loaded.config());
                model.attach(loaded);
                assertArrayEquals(saved, logits(model));
            }
        }
        JsonNode j = TinyLlamas.JSON.readTree(dir.resolve(LoraAdapters.CONFIG).toFile());
        assertEquals(2, j.get("r").asInt());
        assertEquals(4.0, j.get("lora_alpha").asDouble());
        assertEquals("tiny-qwen2", j.get("base_model_name_or_path").asText());
        assertEquals("[\"v_proj\",\"q_proj\"]", j.get("target_modules").toString());
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
        assertOneLine(assertThrows(UserError.class, () -> LoraAdapters.init(new LoraConfig(4, 8, 0, List.of("c_attn")),
                TinyLlamas.llama(), 1, Device.cpu())), "'c_attn'", "llama");
    }

    @Test
    void refusesAnAdapterOfAnotherBase() throws Exception {
        LlamaConfig cfg = TinyLlamas.llama();
        Path dir = tmp.resolve("adapter");
        try (LoraAdapters lora = LoraAdapters.init(new LoraConfig(2, 4, 0, List.of("q_proj")), cfg, 4, Device.cpu())) {
            lora.save(dir, "tiny");
        }
        // qwen3's head_dim 12 makes q_proj [48, 32], not [32, 32]
        assertOneLine(assertThrows(UserError.class, () -> LoraAdapters.load(dir, TinyLlamas.qwen3(), Device.cpu())),
                "layers.0.self_attn.q_proj.lora_B.weight", "[48, 2]");
        Path config = dir.resolve(LoraAdapters.CONFIG);
        Files.writeString(config, Files.readString(config).replace("\"q_proj\"", "\"q_proj\", \"k_proj\""));
        assertOneLine(assertThrows(UserError.class, () -> LoraAdapters.load(dir, cfg, Device.cpu())),
                "k_proj.lora_A.weight", "missing");
        Files.writeString(config, Files.readString(config).replace("\"q_proj\", \"k_proj\"", "\"v_proj\""));
        assertOneLine(assertThrows(UserError.class, () -> LoraAdapters.load(dir, cfg, Device.cpu())),
                "unexpected tensor", "q_proj.lora_A.weight");
        Files.writeString(config, Files.readString(config).replace("\"r\" : 2", "\"r\" : 0"));
        assertOneLine(assertThrows(UserError.class, () -> LoraAdapters.load(dir, cfg, Device.cpu())),
                LoraAdapters.CONFIG, "lora r");
    }

    private void deleteBase() {
        try (var files = Files.walk(tmp.resolve("base"))) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
