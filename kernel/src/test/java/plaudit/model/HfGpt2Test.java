package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfGpt2Test {
    static final GptConfig CFG = new GptConfig(2, 2, 8, 6, 11, 0.0);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Seeded random parameters with GPT-2's names (without lm_head). */
    static Map<String, NDArray> randomParameters(NDManager m, GptConfig cfg, long seed) {
        Random rng = new Random(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        HfGpt2.parameterShapes(cfg).forEach((name, shape) -> {
            float[] v = new float[(int) TensorData.elementCount(shape)];
            for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian() * 0.02f;
            params.put(name, m.create(v, new Shape(shape)));
        });
        return params;
    }

    static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "message should mention '" + p + "': " + message);
    }

    @Test
    void shapesCountAsManyParametersAsTheConfig() {
        long total = 0;
        for (long[] shape : HfGpt2.parameterShapes(CFG).values()) total += TensorData.elementCount(shape);
        assertEquals(CFG.parameterCount(), total);
        assertEquals(2 + 12 * CFG.nLayer() + 2, HfGpt2.parameterShapes(CFG).size());
        assertArrayEquals(new long[] {8, 24}, HfGpt2.parameterShapes(CFG).get("transformer.h.1.attn.c_attn.weight"));
        assertArrayEquals(new long[] {32, 8}, HfGpt2.parameterShapes(CFG).get("transformer.h.0.mlp.c_proj.weight"));
    }

    @Test
    void namesWithoutThePrefixAndMaskBuffersAreAccepted() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        HfGpt2.parameterShapes(CFG).forEach((name, shape) -> shapes.put(name.substring(HfGpt2.PREFIX.length()), shape));
        shapes.put("h.0.attn.bias", new long[] {1, 1, 6, 6});
        shapes.put("h.1.attn.masked_bias", new long[] {});
        shapes.put("lm_head.weight", new long[] {11, 8});
        Map<String, String> names = HfGpt2.matchNames(shapes, CFG, "f");
        assertEquals(HfGpt2.parameterShapes(CFG).keySet(), names.keySet());
        assertEquals("h.1.ln_2.bias", names.get("transformer.h.1.ln_2.bias"));
    }

    @Test
    void everyMismatchIsReportedInOneMessage() {
        Map<String, long[]> shapes = new LinkedHashMap<>(HfGpt2.parameterShapes(CFG));
        shapes.remove("transformer.h.1.mlp.c_fc.bias");
        shapes.remove("transformer.ln_f.weight");
        shapes.put("transformer.wte.weight", new long[] {12, 8});
        shapes.put("h.0.ln_1.weight", new long[] {8});              // same tensor with and without prefix
        shapes.put("score.weight", new long[] {1, 8});              // a classification head
        shapes.put("lm_head.weight", new long[] {11, 9});
        String message = assertThrows(UserError.class, () -> HfGpt2.matchNames(shapes, CFG, "w.safetensors")).getMessage();
        assertMentions(message, "w.safetensors", "n_layer=2", "missing 2", "transformer.h.1.mlp.c_fc.bias",
                "transformer.ln_f.weight", "unexpected 2", "score.weight", "h.0.ln_1.weight (duplicate of",
                "wrong shape 2", "transformer.wte.weight is [12, 8], config needs [11, 8]",
                "lm_head.weight is [11, 9]");
    }

    @Test
    void tiedHeadIsAcceptedAndAnUntiedOneIsNot() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> params = randomParameters(m, CFG, 1);
            Map<String, NDArray> withHead = new LinkedHashMap<>(params);
            withHead.put(HfGpt2.LM_HEAD, params.get(HfGpt2.WTE).duplicate());
            Map<String, NDArray> canonical = HfGpt2.canonicalParameters(withHead, CFG, "model");
            assertEquals(HfGpt2.parameterShapes(CFG).keySet(), canonical.keySet());

            withHead.put(HfGpt2.LM_HEAD, params.get(HfGpt2.WTE).add(1e-3f));
            assertMentions(assertThrows(UserError.class, () -> HfGpt2.canonicalParameters(withHead, CFG, "model"))
                    .getMessage(), "lm_head.weight differs from transformer.wte.weight");

            Path file = tmp.resolve("untied.safetensors");
            Safetensors.writer().tensors(withHead).write(file);
            try (Safetensors.Reader r = Safetensors.open(file)) {
                assertMentions(assertThrows(UserError.class, () -> HfGpt2.loadParameters(r, CFG, m)).getMessage(),
                        file.toString(), "lm_head.weight differs");
            }
        }
    }

    /** The shape of openai-community/gpt2's config.json (written from the published key list, not copied). */
    static ObjectNode gpt2SmallConfig() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
                 "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
                 "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768, "n_head": 12,
                 "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1, "summary_activation": null,
                 "summary_first_dropout": 0.1, "summary_proj_to_labels": true, "summary_type": "cls_index",
                 "summary_use_proj": true, "task_specific_params": {"text-generation": {"do_sample": true,
                 "max_length": 50}}, "vocab_size": 50257, "_name_or_path": "gpt2"}""");
    }

    @Test
    void readsGpt2SmallConfig() throws Exception {
        GptConfig cfg = HfGpt2.parseConfig(gpt2SmallConfig(), "config.json");
        assertEquals(new GptConfig(12, 12, 768, 1024, 50257, 0.1), cfg);
        assertEquals(124_439_808L, cfg.parameterCount());   // GPT-2 small, tied head counted once
    }

    @Test
    void writtenConfigReadsBackAndHasHfFields() throws Exception {
        GptConfig cfg = new GptConfig(3, 4, 16, 32, 100, 0.05);
        ObjectNode json = HfGpt2.configJson(cfg, 99, Safetensors.DType.BF16);
        assertEquals(cfg, HfGpt2.parseConfig(json, "written"));
        assertEquals("gpt2", json.get("model_type").textValue());
        assertEquals("GPT2LMHeadModel", json.get("architectures").get(0).textValue());
        assertEquals(32, json.get("n_ctx").intValue());
        assertEquals(99, json.get("bos_token_id").intValue());
        assertEquals(99, json.get("eos_token_id").intValue());
        assertEquals("bfloat16", json.get("torch_dtype").textValue());
        assertTrue(json.get("tie_word_embeddings").booleanValue());
        assertTrue(HfGpt2.configJson(cfg, null, Safetensors.DType.F32).get("eos_token_id").isNull());
        Path file = tmp.resolve("config.json");
        Files.writeString(file, json.toPrettyString());
        assertEquals(cfg, HfGpt2.readConfig(file));
    }

    @Test
    void unknownConfigKeyIsNamedWithASuggestion() throws Exception {
        ObjectNode json = gpt2SmallConfig();
        json.put("n_layers", 6);
        assertMentions(assertThrows(UserError.class, () -> HfGpt2.parseConfig(json, "c.json")).getMessage(),
                "c.json", "unknown key 'n_layers'", "did you mean 'n_layer'");
        ObjectNode json2 = gpt2SmallConfig();
        json2.put("quantization_config", "x");
        assertMentions(assertThrows(UserError.class, () -> HfGpt2.parseConfig(json2, "c.json")).getMessage(),
                "unknown key 'quantization_config'");
    }

    @Test
    void badConfigValuesAreNamed() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"n_head", "\"12\"", "'n_head' must be an integer"},
                new String[] {"activation_function", "\"relu\"", "'activation_function' is \"relu\""},
                new String[] {"layer_norm_epsilon", "1e-6", "'layer_norm_epsilon'"},
                new String[] {"n_inner", "1000", "'n_inner' is 1000"},
                new String[] {"model_type", "\"gpt_neo\"", "'model_type'"},
                new String[] {"tie_word_embeddings", "false", "'tie_word_embeddings'"},
                new String[] {"attn_pdrop", "0.0", "set resid_pdrop, embd_pdrop and attn_pdrop to the same value"},
                new String[] {"n_head", "7", "n_embd = 768 is invalid"});
        for (String[] c : cases) {
            ObjectNode json = gpt2SmallConfig();
            json.set(c[0], JSON.readTree(c[1]));
            assertMentions(assertThrows(UserError.class, () -> HfGpt2.parseConfig(json, "c.json")).getMessage(), c[2]);
        }
        ObjectNode json = gpt2SmallConfig();
        json.remove("vocab_size");
        assertMentions(assertThrows(UserError.class, () -> HfGpt2.parseConfig(json, "c.json")).getMessage(),
                "missing required key 'vocab_size'");
        JsonNode notObject = JSON.readTree("[]");
        assertThrows(UserError.class, () -> HfGpt2.parseConfig(notObject, "c.json"));
    }

    @Test
    void dropoutDefaultsToHfValueWhenAbsent() throws Exception {
        ObjectNode json = gpt2SmallConfig();
        json.remove(List.of("resid_pdrop", "embd_pdrop", "attn_pdrop"));
        assertEquals(0.1, HfGpt2.parseConfig(json, "c").dropout());
    }
}
