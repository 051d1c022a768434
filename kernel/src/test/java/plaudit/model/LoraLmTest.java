package plaudit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import plaudit.UserError;
import plaudit.train.AdamW;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LoRA view of every family (GPT-2, Llama, Qwen2, Qwen3): it starts equal to its base, equals the merged weights,
 * trains only its adapters, leaves the shared base (the reference) untouched, and round-trips through PEFT's files.
 */
class LoraLmTest {
    @TempDir
    Path tmp;

    /** A tiny lively base of {@code family}; Llama-family ones are read from a Hugging Face folder. */
    private CausalLm base(String family) {
        LlamaConfig cfg = switch (family) {
            case "gpt2" -> null;
            case "llama" -> TinyLlamas.llama3(); // tied head, biases everywhere, llama3 rope scaling
            case "qwen2" -> TinyLlamas.qwen2();
            default -> TinyLlamas.qwen3();
        };
        if (cfg == null) return TinyModels.lively(7);
        return LlamaCheckpoint.read(TinyLlamas.write(tmp.resolve("base"), cfg, 7, Safetensors.DType.F32, 1))
                .model(Device.cpu());
    }

    /** Every projection of the family, rank 4, alpha 8 (scaling 2). */
    private static LoraConfig allLinear(CausalLm base, double dropout) {
        return new LoraSettings(4, 8, dropout, LoraSettings.ALL_LINEAR).config(base.modelType());
    }

    /** Logits {@code [2, 6, V]} of two fixed rows, flattened. */
    static float[] logits(CausalLm model, boolean train) {
        SplittableRandom rng = new SplittableRandom(11);
        long[] ids = new long[12];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(model.vocabSize());
        try (NDManager m = model.manager().newSubManager()) {
            return model.forward(m.create(ids, new Shape(2, 6)), null, null, null, train).toFloatArray();
        }
    }

    private static Map<String, float[]> values(Map<String, NDArray> arrays) {
        Map<String, float[]> v = new LinkedHashMap<>();
        arrays.forEach((k, a) -> v.put(k, a.toFloatArray()));
        return v;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-5, what + " " + i);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3"})
    void zeroBIsTheBaseBitForBit(String family) {
        try (CausalLm base = base(family); LoraLm view = LoraLm.init(base, allLinear(base, 0.0), 1)) {
            float[] expected = logits(base, false);
            assertArrayEquals(expected, logits(view, false));
            assertArrayEquals(expected, logits(view, true));
            TinyModels.randomiseLoraB(view);
            assertFalse(Arrays.equals(expected, logits(view, false)), "a non-zero B must change the logits");
            assertSame(base, view.base());
        }
    }

    /** The view's logits equal a model of its merged weights, in memory and written as a folder and reopened. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3"})
    void adaptedLogitsEqualTheMergedWeights(String family) {
        Path folder = tmp.resolve("merged");
        float[] adapted;
        try (CausalLm base = base(family); LoraLm view = LoraLm.init(base, allLinear(base, 0.1), 2)) {
            TinyModels.randomiseLoraB(view);
            adapted = logits(view, false);
            Map<String, float[]> before = values(base.parameters());
            NDManager m = Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
            Map<String, NDArray> merged = view.weights(m);
            assertEquals(base.parameters().keySet(), merged.keySet());
            merged.forEach((name, a) -> {
                assertSame(m, a.getManager(), name + " must be a new array of m");
                assertNotSame(base.parameters().get(name), a);
            });
            try (CausalLm mergedModel = base instanceof Gpt g ? Gpt.fromParameters(g.config(), merged, Device.cpu())
                    : new Llama(((Llama) base).config(), Device.cpu(), m, merged)) {
                assertClose(logits(mergedModel, false), adapted, family + " merged logit");
                if (base instanceof Gpt g) {
                    Checkpoint.writer().config(g.config()).parameters(merged).write(folder);
                } else {
                    Files.createDirectories(folder);
                    Files.copy(tmp.resolve("base").resolve(Checkpoint.CONFIG), folder.resolve(Checkpoint.CONFIG));
                    Safetensors.writer().metadata("format", "pt").tensors(merged).write(folder.resolve("model.safetensors"));
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            } finally {
                m.close();
            }
            Map<String, float[]> after = values(base.parameters());
            before.forEach((name, v) -> assertArrayEquals(v, after.get(name), name + " of the base changed"));
        }
        try (CausalLm reopened = ModelFolder.open(folder, Device.cpu())) {
            assertEquals(family, reopened.modelType());
            assertClose(logits(reopened, false), adapted, family + " reopened logit");
        }
    }

    /** GPT-2's Conv1D weights are [in, out]: the merged weight is W + scaling · (B A)ᵀ, derived here on the heap. */
    @Test
    void gpt2MergesTheTransposedUpdate() {
        try (CausalLm base = base("gpt2"); LoraLm view = LoraLm.init(base, allLinear(base, 0), 3);
             NDManager m = Engine.getEngine("PyTorch").newBaseManager(Device.cpu())) {
            TinyModels.randomiseLoraB(view);
            String fc = "transformer.h.1.mlp.c_fc";
            int in = 32;
            int out = 128;
            float[] w = base.parameters().get(fc + ".weight").toFloatArray();
            float[] a = view.parameters().get("base_model.model." + fc + ".lora_A.weight").toFloatArray();
            float[] b = view.parameters().get("base_model.model." + fc + ".lora_B.weight").toFloatArray();
            assertEquals(4 * in, a.length);
            assertEquals(out * 4, b.length);
            int adapters = view.manager().getManagedArrays().size();
            float[] got = view.weights(m).get(fc + ".weight").toFloatArray();
            assertEquals(adapters, view.manager().getManagedArrays().size(), "merging must leave nothing in the view");
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    double ba = 0;
                    for (int k = 0; k < 4; k++) ba += b[o * 4 + k] * a[k * in + i];
                    assertEquals(w[i * out + o] + 2 * ba, got[i * out + o], 1e-6, "merged c_fc [" + i + ", " + o + "]");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "qwen3"})
    void backwardReachesTheAdaptersOnly(String family) {
        try (CausalLm base = base(family)) {
            base.setTrainable(true); // a view freezes its base whatever it was
            try (LoraLm view = LoraLm.init(base, allLinear(base, 0.1), 4);
                 NDManager step = view.manager().newSubManager()) {
                TinyModels.randomiseLoraB(view); // with B = 0, A gets no gradient
                view.setTrainable(true);
                SplittableRandom rng = new SplittableRandom(3);
                long[] ids = new long[12];
                for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(base.vocabSize());
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray x = step.create(ids, new Shape(2, 6));
                    gc.backward(view.loss(x, x, null, true));
                }
                view.parameters().forEach((name, p) -> {
                    NDArray g = p.getGradient();
                    g.attach(step);
                    assertTrue(g.abs().sum().getFloat() > 0, name + " has no gradient");
                });
                base.parameters().forEach((name, p) -> assertFalse(p.hasGradient(), name + " of the base must stay frozen"));
            }
        }
    }

    /**
     * PEFT's lora_dropout: on the adapters' input, only in training mode, its mask from PyTorch's seeded generator.
     * With lora_dropout 0 training mode changes nothing (GPT-2's own dropout is 0 here), so the change is LoRA's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void dropoutOnlyWhenTrainingAndSeeded(String family) {
        Engine torch = Engine.getEngine("PyTorch");
        try (CausalLm base = base(family)) {
            try (LoraLm noDropout = LoraLm.init(base, allLinear(base, 0), 5)) {
                TinyModels.randomiseLoraB(noDropout);
                assertArrayEquals(logits(noDropout, false), logits(noDropout, true));
            }
            try (LoraLm view = LoraLm.init(base, allLinear(base, 0.3), 5)) {
                TinyModels.randomiseLoraB(view);
                float[] eval = logits(view, false);
                assertArrayEquals(eval, logits(view, false));
                torch.setRandomSeed(3);
                float[] train = logits(view, true);
                torch.setRandomSeed(3);
                assertArrayEquals(train, logits(view, true), "the same seed must give the same masks");
                assertTrue(TinyModels.maxAbsDiff(eval, train) > 1e-3, "train mode must apply lora_dropout");
                torch.setRandomSeed(4);
                assertFalse(Arrays.equals(train, logits(view, true)), "another seed, other masks");
            }
        }
    }

    /**
     * One copy of the base serves the reference, a trained policy view and a second view: the base computes the same
     * before and after the policy's AdamW step, and so does a fresh view on it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3"})
    void theReferenceIsTheUntouchedBase(String family) {
        try (CausalLm base = base(family)) {
            float[] reference = logits(base, false);
            try (LoraLm policy = LoraLm.init(base, allLinear(base, 0.1), 6);
                 LoraLm value = LoraLm.init(base, allLinear(base, 0), 7)) {
                policy.setTrainable(true);
                AdamW opt = AdamW.of(policy.parameters(), 0.01);
                try (NDManager step = policy.manager().newSubManager()) {
                    long[] ids = new long[12];
                    for (int i = 0; i < ids.length; i++) ids[i] = (i * 7 + 3) % base.vocabSize();
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray x = step.create(ids, new Shape(2, 6));
                        gc.backward(policy.loss(x, x, null, true));
                    }
                    opt.update(step, 1e-2);
                }
                assertFalse(Arrays.equals(reference, logits(policy, false)), "the step must move the policy");
                assertArrayEquals(reference, logits(base, false), "the reference changed");
                assertArrayEquals(reference, logits(value, false), "a second view with B = 0 is the base");
            }
            assertArrayEquals(reference, logits(base, false), "closing the views must leave the base usable");
        }
    }

    /**
     * Generation with the key/value cache runs the adapters too: the last tokens' logits with the cache equal a full
     * forward pass, and neither the view's nor the base's manager keeps anything after forward passes and sampling.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void theCacheAppliesTheAdaptersAndNothingIsLeftBehind(String family) {
        try (CausalLm base = base(family); LoraLm view = LoraLm.init(base, allLinear(base, 0.1), 9)) {
            TinyModels.randomiseLoraB(view);
            int adapters = view.manager().getManagedArrays().size();
            int weights = base.manager().getManagedArrays().size();
            long[] ids = {3, 9, 1, 7, 4, 2};
            try (NDManager step = view.manager().newSubManager(); KvCache cache = view.newCache(1, 6)) {
                float[] full = view.forward(step.create(ids, new Shape(1, 6)), null, null, null, false)
                        .get("0, 4:").toFloatArray();
                view.forward(step.create(Arrays.copyOf(ids, 4), new Shape(1, 4)), null, null, cache, false);
                float[] cached = view.forward(step.create(new long[] {4, 2}, new Shape(1, 2)), null, null, cache, false)
                        .toFloatArray();
                assertClose(full, cached, family + " cached logit");
                float[] plain = base.forward(step.create(ids, new Shape(1, 6)), null, null, null, false)
                        .get("0, 4:").toFloatArray();
                assertFalse(Arrays.equals(plain, full), "the adapters must change the logits");
            }
            Generator.generate(view, List.of(new int[] {1, 2, 3}, new int[] {4}),
                    SamplingConfig.defaults().withMaxNewTokens(3));
            assertEquals(adapters, view.manager().getManagedArrays().size());
            assertEquals(weights, base.manager().getManagedArrays().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "qwen2"})
    void peftFolderRoundTrip(String family) throws Exception {
        Path dir = tmp.resolve("adapter");
        try (CausalLm base = base(family)) {
            float[] saved;
            LoraConfig config;
            try (LoraLm view = LoraLm.init(base, allLinear(base, 0.1), 8)) {
                TinyModels.randomiseLoraB(view);
                saved = logits(view, false);
                config = view.config();
                view.save(dir, "tiny-" + family);
            }
            try (LoraLm loaded = LoraLm.load(base, dir)) {
                assertEquals(config, loaded.config());
                assertArrayEquals(saved, logits(loaded, false));
            }
        }
        JsonNode j = TinyLlamas.JSON.readTree(dir.resolve(LoraAdapters.CONFIG).toFile());
        assertEquals(family.equals("gpt2"), j.get("fan_in_fan_out").asBoolean());
        assertEquals("tiny-" + family, j.get("base_model_name_or_path").asText());
        assertEquals(0.1, j.get("lora_dropout").asDouble());
        if (family.equals("gpt2")) {
            assertEquals("[\"c_attn\",\"c_proj\",\"c_fc\"]", j.get("target_modules").toString());
            try (Safetensors.Reader r = Safetensors.open(dir.resolve(LoraAdapters.WEIGHTS))) {
                // PEFT's names for GPT2LMHeadModel; c_proj adapts both the attention's and the MLP's
                String h = "base_model.model.transformer.h.";
                assertArrayEquals(new long[] {4, 32}, r.entry(h + "0.attn.c_attn.lora_A.weight").shape());
                assertArrayEquals(new long[] {96, 4}, r.entry(h + "0.attn.c_attn.lora_B.weight").shape());
                assertArrayEquals(new long[] {32, 4}, r.entry(h + "1.attn.c_proj.lora_B.weight").shape());
                assertArrayEquals(new long[] {4, 128}, r.entry(h + "1.mlp.c_proj.lora_A.weight").shape());
                assertArrayEquals(new long[] {128, 4}, r.entry(h + "1.mlp.c_fc.lora_B.weight").shape());
                assertEquals(2 * 4 * 2, r.names().size());
            }
        }
    }

    @Test
    void refusesWhatTheFamilyDoesNotHave() throws Exception {
        try (CausalLm gpt = base("gpt2")) {
            UserError e = assertThrows(UserError.class,
                    () -> new LoraSettings(4, 8, 0, "q_proj,v_proj").apply(gpt, 1));
            LoraTest.assertOneLine(e, "lora_targets", "'q_proj'", "gpt2", "c_attn,c_proj,c_fc");
            e = assertThrows(UserError.class, () -> LoraLm.init(gpt, new LoraConfig(4, 8, 0, List.of("v_proj")), 1));
            LoraTest.assertOneLine(e, "'v_proj'", "gpt2");
            try (LoraLm view = LoraLm.init(gpt, allLinear(gpt, 0), 1)) {
                assertThrows(IllegalArgumentException.class, () -> LoraLm.init(view, allLinear(gpt, 0), 2));
                view.save(tmp.resolve("gpt2-adapter"), "tiny-gpt2");
            }
        }
        try (CausalLm llama = base("llama")) {
            UserError e = assertThrows(UserError.class, () -> LoraLm.load(llama, tmp.resolve("gpt2-adapter")));
            LoraTest.assertOneLine(e, "fan_in_fan_out true", "llama", "base model it was trained on");
            Path config = tmp.resolve("gpt2-adapter").resolve(LoraAdapters.CONFIG);
            Files.writeString(config, Files.readString(config).replace("\"fan_in_fan_out\" : true", "\"fan_in_fan_out\" : false"));
            e = assertThrows(UserError.class, () -> LoraLm.load(llama, tmp.resolve("gpt2-adapter")));
            LoraTest.assertOneLine(e, "'c_attn'", "llama");
        }
    }

    @Test
    void rankZeroIsTheBaseItself() {
        try (CausalLm base = base("gpt2")) {
            assertSame(base, LoraSettings.defaults().apply(base, 1));
            try (CausalLm view = new LoraSettings(2, 4, 0, "c_attn").apply(base, 1)) {
                assertTrue(view instanceof LoraLm);
                assertEquals(2 * 2, view.parameters().size());
                assertEquals(List.of("c_attn"), ((LoraLm) view).config().targetModules());
            }
        }
    }
}
