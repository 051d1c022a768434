package plaudit.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import plaudit.UserError;
import plaudit.model.Rope.Llama3Scaling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config.json of real Llama-family models is read as Hugging Face reads it; settings Plaudit lacks are refused by key. */
class LlamaConfigTest {
    /** SmolLM2-135M's config.json (as published, bookkeeping keys included). */
    static final String SMOLLM2 = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 0, "eos_token_id": 0, "hidden_act": "silu", "hidden_size": 576,
             "initializer_range": 0.041666666666666664, "intermediate_size": 1536, "is_llama_config": true,
             "max_position_embeddings": 8192, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 9,
             "num_hidden_layers": 30, "num_key_value_heads": 3, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
             "rope_interleaved": false, "rope_scaling": null, "rope_theta": 100000, "tie_word_embeddings": true,
             "torch_dtype": "bfloat16", "transformers_version": "4.42.3", "use_cache": true, "vocab_size": 49152}""";
    /** Llama 3.2 1B's: llama3 rope scaling, eos list, explicit head_dim. */
    static final String LLAMA32 = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "head_dim": 64, "hidden_act": "silu",
             "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192,
             "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 32,
             "num_hidden_layers": 16, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
             "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
             "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "rope_theta": 500000.0,
             "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.45.0.dev0",
             "use_cache": true, "vocab_size": 128256}""";
    /** Qwen3-0.6B's: head_dim 128 while hidden_size / heads = 64. */
    static final String QWEN3 = """
            {"architectures": ["Qwen3ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 151643, "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu", "hidden_size": 1024,
             "initializer_range": 0.02, "intermediate_size": 3072, "max_position_embeddings": 40960,
             "max_window_layers": 28, "model_type": "qwen3", "num_attention_heads": 16, "num_hidden_layers": 28,
             "num_key_value_heads": 8, "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 1000000,
             "sliding_window": null, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
             "transformers_version": "4.51.0", "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}""";
    /** Qwen2.5-0.5B's: no head_dim, no attention_bias key (q/k/v always biased). */
    static final String QWEN25 = """
            {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
             "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
             "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 24,
             "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
             "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true,
             "torch_dtype": "bfloat16", "transformers_version": "4.40.1", "use_cache": true,
             "use_sliding_window": false, "vocab_size": 151936}""";

    static LlamaConfig parse(String json) throws Exception {
        return LlamaConfig.parse(TinyLlamas.JSON.readTree(json), "config.json");
    }

    static ObjectNode tree(String json) throws Exception {
        return (ObjectNode) TinyLlamas.JSON.readTree(json);
    }

    /** toJson is parse's inverse on the published configs: a written config.json reads back as the same model. */
    @Test
    void publishedConfigsRoundTripThroughToJson() throws Exception {
        for (String published : new String[] {SMOLLM2, LLAMA32, QWEN3, QWEN25}) {
            LlamaConfig c = parse(published);
            assertEquals(c, LlamaConfig.parse(c.toJson(), "written"), published);
        }
        // the keys transformers reads, under its names; Qwen2Config has no attention_bias (always biased)
        assertFalse(parse(QWEN25).toJson().has("attention_bias"));
        assertEquals(8192, parse(LLAMA32).toJson().get("rope_scaling").get("original_max_position_embeddings").intValue());
        assertTrue(parse(LLAMA32).toJson().get("rope_scaling").get("original_max_position_embeddings").isIntegralNumber());
    }

    @Test
    void realConfigsGiveTheirShapes() throws Exception {
        assertEquals(new LlamaConfig("llama", 49152, 576, 1536, 30, 9, 3, 64, 8192, 1e-5, 100000, null, true, false,
                false), parse(SMOLLM2));
        // SmolLM2-135M has 134.5M parameters (tied): the count is the published one
        assertEquals(134_515_008, parse(SMOLLM2).parameterCount(), 0.0);

        LlamaConfig llama = parse(LLAMA32);
        assertEquals(new Llama3Scaling(32, 1, 4, 8192), llama.ropeScaling());
        assertEquals(64, llama.headDim());
        assertEquals(500000, llama.ropeTheta(), 0.0);

        LlamaConfig qwen3 = parse(QWEN3);
        assertEquals(128, qwen3.headDim());
        assertTrue(qwen3.qkNorm());
        assertFalse(qwen3.qkvBias());

        LlamaConfig qwen2 = parse(QWEN25);
        assertEquals(64, qwen2.headDim());
        assertTrue(qwen2.qkvBias());
        assertFalse(qwen2.attentionBias()); // o_proj has no bias
        assertNull(qwen2.ropeScaling());
    }

    @Test
    void transformersV5RopeParametersAreRead() throws Exception {
        ObjectNode j = tree(LLAMA32);
        JsonNode scaling = j.remove("rope_scaling");
        j.remove("rope_theta");
        ((ObjectNode) scaling).put("rope_theta", 500000.0);
        j.set("rope_parameters", scaling);
        LlamaConfig c = LlamaConfig.parse(j, "config.json");
        assertEquals(parse(LLAMA32), c);
    }

    @Test
    void unsupportedSettingsAreRefusedNamingTheKey() throws Exception {
        assertRefused(with(QWEN3, "use_sliding_window", true), "'use_sliding_window'", "sliding-window");
        ObjectNode yarn = tree(LLAMA32);
        ((ObjectNode) yarn.get("rope_scaling")).put("rope_type", "yarn");
        assertRefused(yarn, "rope_scaling.rope_type", "yarn", "llama3");
        assertRefused(with(SMOLLM2, "rope_interleaved", true), "'rope_interleaved'");
        ObjectNode gelu = tree(SMOLLM2);
        gelu.put("hidden_act", "gelu");
        assertRefused(gelu, "'hidden_act'", "silu");
        ObjectNode layers = tree(QWEN3);
        layers.putArray("layer_types").add("full_attention").add("sliding_attention");
        assertRefused(layers, "'layer_types'");
        ObjectNode quantized = tree(QWEN3);
        quantized.putObject("quantization_config").put("bits", 4);
        assertRefused(quantized, "unknown key 'quantization_config'");
        assertRefused(with(QWEN25, "attention_bias", true), "'attention_bias'", "qwen2");
        assertRefused(with(QWEN3, "mlp_bias", true), "'mlp_bias'");
    }

    @Test
    void badSizesAreRefusedNamingTheKey() throws Exception {
        ObjectNode gqa = tree(SMOLLM2);
        gqa.put("num_key_value_heads", 4); // 9 heads
        assertRefused(gqa, "num_key_value_heads = 4", "divisor");
        ObjectNode missing = tree(QWEN3);
        missing.remove("hidden_size");
        assertRefused(missing, "missing required key 'hidden_size'");
        ObjectNode text = tree(QWEN3);
        text.put("num_hidden_layers", "28");
        assertRefused(text, "'num_hidden_layers' must be an integer");
        ObjectNode odd = tree(QWEN3);
        odd.put("head_dim", 127);
        assertRefused(odd, "head_dim = 127");
        ObjectNode huge = tree(QWEN3);
        huge.put("num_hidden_layers", 2_000_000);
        assertRefused(huge, "parameters", "num_hidden_layers");
        ObjectNode wide = tree(QWEN3);
        wide.put("vocab_size", 2_000_000_000);
        assertRefused(wide, "largest tensor");
    }

    /**
     * Llama 3.1's scaling by hand, head_dim 8, theta 10000 (inv_freq 1, 0.1, 0.01, 0.001: wavelengths 2π·(1, 10,
     * 100, 1000)), original length 64, low/high factors 1/4 (bounds 64 and 16), factor 8: 6.28 < 16 is kept;
     * 62.8 is between, smooth = (64/62.83 − 1)/3 = 0.00620, so 0.1·((1 − s)/8 + s); 628 and 6283 > 64 are divided by 8.
     */
    @Test
    void llama3ScalingByHand() {
        float[] f = new Rope(8, 10000, new Llama3Scaling(8, 1, 4, 64)).invFreq();
        double smooth = (64 / (2 * Math.PI / 0.1) - 1) / 3;
        assertArrayEquals(new float[] {1f, (float) (0.1 * ((1 - smooth) / 8 + smooth)), 0.01f / 8, 0.001f / 8}, f, 1e-7f);
        assertArrayEquals(new float[] {1f, 0.1f, 0.01f, 0.001f}, new Rope(8, 10000, null).invFreq(), 1e-8f);
    }

    private static ObjectNode with(String json, String key, boolean value) throws Exception {
        ObjectNode j = tree(json);
        j.put(key, value);
        return j;
    }

    private static void assertRefused(JsonNode json, String... parts) {
        UserError e = assertThrows(UserError.class, () -> LlamaConfig.parse(json, "config.json"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "should mention '" + p + "': " + e.getMessage());
    }
}
