package plaudit.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.Echo;
import plaudit.UserError;
import plaudit.model.Rope.Llama3Scaling;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Shape of a Llama-family decoder (Touvron et al. 2023) as Hugging Face's {@code config.json} gives it, names as in
 * {@code LlamaConfig}, {@code Qwen2Config} and {@code Qwen3Config}. The families differ only in a few switches:
 * Qwen2 has a bias on q, k and v; Qwen3 normalises q and k per head ({@link #qkNorm}).
 *
 * @param modelType             llama, qwen2 or qwen3
 * @param ropeScaling           Llama 3.1's rope scaling, or null for none
 * @param attentionBias         bias on q, k, v and o (Llama's and Qwen3's {@code attention_bias})
 * @param mlpBias               bias on gate, up and down (Llama's {@code mlp_bias})
 */
public record LlamaConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                          int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings,
                          double rmsNormEps, double ropeTheta, Llama3Scaling ropeScaling, boolean tieWordEmbeddings,
                          boolean attentionBias, boolean mlpBias) {

    /** Keys that do not change the forward pass: token ids, init, dropout (inference only), bookkeeping. */
    private static final Set<String> IGNORED_KEYS = Set.of(
            "architectures", "transformers_version", "torch_dtype", "dtype", "initializer_range", "use_cache",
            "bos_token_id", "eos_token_id", "pad_token_id", "sep_token_id", "decoder_start_token_id",
            "attention_dropout", "pretraining_tp", "is_llama_config", "max_window_layers", "sliding_window",
            "tokenizer_class", "prefix", "finetuning_task", "id2label", "label2id", "num_labels", "problem_type",
            "output_hidden_states", "output_attentions", "return_dict", "torchscript", "use_bfloat16",
            "chunk_size_feed_forward", "is_decoder", "is_encoder_decoder", "tie_encoder_decoder", "pruned_heads",
            "task_specific_params", "max_length", "min_length", "do_sample", "early_stopping", "num_beams",
            "temperature", "top_k", "top_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
            "num_return_sequences", "bad_words_ids", "forced_bos_token_id", "forced_eos_token_id");
    /** Keys read below. */
    private static final Set<String> READ_KEYS = Set.of("model_type", "vocab_size", "hidden_size", "intermediate_size",
            "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "max_position_embeddings",
            "rms_norm_eps", "rope_theta", "rope_scaling", "rope_parameters", "tie_word_embeddings", "attention_bias",
            "mlp_bias", "hidden_act", "use_sliding_window", "layer_types", "rope_interleaved");

    /** Checks every size, then the parameter budget (which needs the fields, hence a full constructor). */
    public LlamaConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                       int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings,
                       double rmsNormEps, double ropeTheta, Llama3Scaling ropeScaling, boolean tieWordEmbeddings,
                       boolean attentionBias, boolean mlpBias) {
        require(ModelFolder.MODEL_TYPES.contains(modelType) && !modelType.equals("gpt2"), "model_type", modelType,
                "llama, qwen2 or qwen3");
        require(vocabSize > 0, "vocab_size", vocabSize, "a positive vocabulary size");
        require(hiddenSize > 0, "hidden_size", hiddenSize, "a positive width");
        require(intermediateSize > 0, "intermediate_size", intermediateSize, "a positive MLP width");
        require(numHiddenLayers > 0, "num_hidden_layers", numHiddenLayers, "a positive number of layers");
        require(numAttentionHeads > 0, "num_attention_heads", numAttentionHeads, "a positive number of heads");
        require(numKeyValueHeads > 0 && numAttentionHeads % numKeyValueHeads == 0, "num_key_value_heads",
                numKeyValueHeads, "a positive divisor of num_attention_heads (" + numAttentionHeads + ")");
        require(headDim > 0 && headDim % 2 == 0, "head_dim", headDim, "a positive even number (RoPE rotates pairs)");
        require(maxPositionEmbeddings > 0, "max_position_embeddings", maxPositionEmbeddings, "a positive context length");
        require(rmsNormEps > 0 && rmsNormEps < 1, "rms_norm_eps", rmsNormEps, "a small positive number such as 1e-6");
        require(ropeTheta > 1 && Double.isFinite(ropeTheta), "rope_theta", ropeTheta, "a base above 1 such as 10000");
        this.modelType = modelType;
        this.vocabSize = vocabSize;
        this.hiddenSize = hiddenSize;
        this.intermediateSize = intermediateSize;
        this.numHiddenLayers = numHiddenLayers;
        this.numAttentionHeads = numAttentionHeads;
        this.numKeyValueHeads = numKeyValueHeads;
        this.headDim = headDim;
        this.maxPositionEmbeddings = maxPositionEmbeddings;
        this.rmsNormEps = rmsNormEps;
        this.ropeTheta = ropeTheta;
        this.ropeScaling = ropeScaling;
        this.tieWordEmbeddings = tieWordEmbeddings;
        this.attentionBias = attentionBias;
        this.mlpBias = mlpBias;
        checkSize();
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) throw new UserError("model config: " + key + " = " + Echo.of(value) + " is invalid; expected " + expected);
    }

    /** Qwen2 always has a bias on q, k and v; Llama and Qwen3 when {@code attention_bias} is set. */
    public boolean qkvBias() {
        return modelType.equals("qwen2") || attentionBias;
    }

    /** Qwen3 applies an RMSNorm over {@code head_dim} to each query and key head before RoPE. */
    public boolean qkNorm() {
        return modelType.equals("qwen3");
    }

    /** Parameters, the untied output head included (computed in double: exact below 2^53, never overflowing). */
    public double parameterCount() {
        double h = hiddenSize;
        double q = (double) numAttentionHeads * headDim;
        double kv = (double) numKeyValueHeads * headDim;
        double perLayer = 2 * h                                       // input and post-attention norms
                + h * q + 2 * h * kv + q * h                          // q, k, v, o
                + (qkvBias() ? q + 2 * kv : 0) + (attentionBias ? h : 0)
                + (qkNorm() ? 2.0 * headDim : 0)
                + 3 * h * intermediateSize + (mlpBias ? 2.0 * intermediateSize + h : 0);
        return (double) vocabSize * h * (tieWordEmbeddings ? 1 : 2) + numHiddenLayers * perLayer + h;
    }

    /** Number of tensors in the weights file(s). */
    public double tensorCount() {
        double perLayer = 2 + 4 + (qkvBias() ? 3 : 0) + (attentionBias ? 1 : 0) + (qkNorm() ? 2 : 0) + 3 + (mlpBias ? 3 : 0);
        return 1 + numHiddenLayers * perLayer + 1 + (tieWordEmbeddings ? 0 : 1);
    }

    /** Elements of the largest single tensor, which passes through one Java array. */
    public double largestTensor() {
        double h = hiddenSize;
        return Math.max((double) vocabSize * h, Math.max(h * intermediateSize,
                Math.max(h * numAttentionHeads * headDim, h * numKeyValueHeads * headDim)));
    }

    private void checkSize() {
        if (largestTensor() > ModelBudget.MAX_TENSOR_ELEMENTS) {
            throw new UserError(String.format(Locale.ROOT, "model config (%s): its largest tensor would hold %.3g values,"
                    + " more than one tensor can (2^31 - 8); lower vocab_size, hidden_size or intermediate_size",
                    describe(), largestTensor()));
        }
        if (parameterCount() > ModelBudget.MAX_PARAMETERS) {
            throw new UserError(String.format(Locale.ROOT, "model config (%s): %.3g parameters, more than the %.3g"
                    + " Plaudit holds on one device; lower num_hidden_layers or hidden_size", describe(),
                    parameterCount(), (double) ModelBudget.MAX_PARAMETERS));
        }
    }

    /** The sizes, for messages. */
    public String describe() {
        return String.format(Locale.ROOT, "%s, num_hidden_layers=%d, hidden_size=%d, num_attention_heads=%d,"
                        + " num_key_value_heads=%d, head_dim=%d, intermediate_size=%d, vocab_size=%d", modelType,
                numHiddenLayers, hiddenSize, numAttentionHeads, numKeyValueHeads, headDim, intermediateSize, vocabSize);
    }

    // ---------------------------------------------------------------- config.json

    public static LlamaConfig read(Path configJson) {
        return parse(ModelFolder.readJson(configJson), configJson.toString());
    }

    /**
     * Builds a config from a parsed {@code config.json}. Every key must be known, so a setting Plaudit would silently
     * ignore (sliding-window attention, another rope scaling, another activation) is refused, naming the key.
     */
    public static LlamaConfig parse(JsonNode json, String source) {
        String type = text(json, "model_type", source, null);
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.startsWith("_") && !READ_KEYS.contains(key) && !IGNORED_KEYS.contains(key)) {
                throw new UserError(source + ": unknown key '" + Echo.of(key) + "' for model_type " + type + "; Plaudit"
                        + " refuses settings it does not implement (remove the key if it does not change the model)");
            }
        }
        allowOnly(json, "hidden_act", source, "\"silu\"", v -> v.isTextual() && v.textValue().equals("silu"));
        allowOnly(json, "use_sliding_window", source, "false (sliding-window attention is not supported)",
                v -> v.isBoolean() && !v.booleanValue());
        allowOnly(json, "rope_interleaved", source, "false (RoPE on the halves, as Hugging Face's Llama)",
                v -> v.isBoolean() && !v.booleanValue());
        allowOnly(json, "layer_types", source, "only \"full_attention\" (sliding-window attention is not supported)",
                v -> v.isArray() && allFullAttention(v));
        if (!type.equals("llama")) allowOnly(json, "mlp_bias", source, "false for " + type, v -> v.isBoolean() && !v.booleanValue());
        if (type.equals("qwen2")) {
            allowOnly(json, "attention_bias", source, "absent for qwen2 (its q, k, v always have a bias)", v -> false);
        }
        int hidden = intKey(json, "hidden_size", source, null);
        int heads = intKey(json, "num_attention_heads", source, null);
        JsonNode rope = json.get("rope_parameters");
        double theta = rope != null && rope.isObject() && rope.has("rope_theta")
                ? number(rope, "rope_theta", source + ": rope_parameters", null)
                : number(json, "rope_theta", source, 10000.0);
        Llama3Scaling scaling = ropeScaling(rope != null && !rope.isNull() ? rope : json.get("rope_scaling"),
                rope != null ? "rope_parameters" : "rope_scaling", source);
        try {
            return new LlamaConfig(type, intKey(json, "vocab_size", source, null), hidden,
                    intKey(json, "intermediate_size", source, null), intKey(json, "num_hidden_layers", source, null),
                    heads, intKey(json, "num_key_value_heads", source, heads),
                    intKey(json, "head_dim", source, heads > 0 ? hidden / heads : 0),
                    intKey(json, "max_position_embeddings", source, null), number(json, "rms_norm_eps", source, 1e-6),
                    theta, scaling, bool(json, "tie_word_embeddings", source, false),
                    bool(json, "attention_bias", source, false), bool(json, "mlp_bias", source, false));
        } catch (UserError e) {
            throw new UserError(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * This config as Hugging Face's {@code config.json} names it, the inverse of {@link #parse}: what
     * {@code AutoModelForCausalLM.from_pretrained} builds the same model from. Token ids and {@code torch_dtype} are
     * the writer's to add. Keys a family's config class does not have are left out: {@code attention_bias} for
     * qwen2 (its q, k, v are always biased), {@code mlp_bias} outside llama, {@code head_dim} for a qwen2 whose
     * heads split {@code hidden_size} evenly (Qwen2Config derives it).
     */
    public ObjectNode toJson() {
        ObjectNode j = JsonNodeFactory.instance.objectNode();
        j.putArray("architectures").add(switch (modelType) {
            case "qwen2" -> "Qwen2ForCausalLM";
            case "qwen3" -> "Qwen3ForCausalLM";
            default -> "LlamaForCausalLM";
        });
        j.put("model_type", modelType);
        j.put("vocab_size", vocabSize);
        j.put("hidden_size", hiddenSize);
        j.put("intermediate_size", intermediateSize);
        j.put("num_hidden_layers", numHiddenLayers);
        j.put("num_attention_heads", numAttentionHeads);
        j.put("num_key_value_heads", numKeyValueHeads);
        if (!modelType.equals("qwen2") || headDim * numAttentionHeads != hiddenSize) j.put("head_dim", headDim);
        j.put("max_position_embeddings", maxPositionEmbeddings);
        j.put("rms_norm_eps", rmsNormEps);
        j.put("rope_theta", ropeTheta);
        if (ropeScaling == null) {
            j.putNull("rope_scaling");
        } else {
            ObjectNode s = j.putObject("rope_scaling").put("rope_type", "llama3").put("factor", ropeScaling.factor())
                    .put("low_freq_factor", ropeScaling.lowFreqFactor())
                    .put("high_freq_factor", ropeScaling.highFreqFactor());
            double original = ropeScaling.originalMaxPositionEmbeddings();
            // a context length, an integer in every published config (transformers warns on a float)
            if (original == Math.rint(original)) s.put("original_max_position_embeddings", (long) original);
            else s.put("original_max_position_embeddings", original);
        }
        j.put("tie_word_embeddings", tieWordEmbeddings);
        if (!modelType.equals("qwen2")) j.put("attention_bias", attentionBias);
        if (modelType.equals("llama")) j.put("mlp_bias", mlpBias);
        j.put("hidden_act", "silu");
        return j;
    }

    private static boolean allFullAttention(JsonNode types) {
        for (JsonNode t : types) if (!t.isTextual() || !t.textValue().equals("full_attention")) return false;
        return true;
    }

    /** None for null or type {@code default}; Llama 3.1's scaling for {@code llama3}; anything else refused. */
    private static Llama3Scaling ropeScaling(JsonNode s, String key, String source) {
        if (s == null || s.isNull()) return null;
        if (!s.isObject()) throw new UserError(source + ": '" + key + "' must be an object or null, got " + Echo.of(s));
        JsonNode type = s.has("rope_type") ? s.get("rope_type") : s.get("type");
        String name = type != null && type.isTextual() ? type.textValue() : String.valueOf(type);
        if (name.equals("default")) return null;
        if (!name.equals("llama3")) {
            throw new UserError(source + ": '" + key + ".rope_type' is " + Echo.of(name) + "; Plaudit supports only"
                    + " \"llama3\" rope scaling (or none)");
        }
        String where = source + ": " + key;
        Llama3Scaling scaling = new Llama3Scaling(number(s, "factor", where, null), number(s, "low_freq_factor", where, null),
                number(s, "high_freq_factor", where, null), number(s, "original_max_position_embeddings", where, null));
        if (scaling.highFreqFactor() <= scaling.lowFreqFactor()) {
            throw new UserError(where + ": 'high_freq_factor' (" + scaling.highFreqFactor() + ") must exceed"
                    + " 'low_freq_factor' (" + scaling.lowFreqFactor() + ")");
        }
        return scaling;
    }

    private static void allowOnly(JsonNode json, String key, String source, String expected, Predicate<JsonNode> ok) {
        JsonNode v = json.get(key);
        if (v != null && !v.isNull() && !ok.test(v)) {
            throw new UserError(source + ": '" + key + "' is " + Echo.of(v) + " but Plaudit supports only " + expected);
        }
    }

    private static JsonNode value(JsonNode json, String key, String source, Object fallback) {
        JsonNode v = json.get(key);
        if ((v == null || v.isNull()) && fallback == null) throw new UserError(source + ": missing required key '" + key + "'");
        return v == null || v.isNull() ? null : v;
    }

    private static String text(JsonNode json, String key, String source, String fallback) {
        JsonNode v = value(json, key, source, fallback);
        if (v == null) return fallback;
        if (!v.isTextual()) throw new UserError(source + ": '" + key + "' must be a string, got " + Echo.of(v));
        return v.textValue();
    }

    private static int intKey(JsonNode json, String key, String source, Integer fallback) {
        JsonNode v = value(json, key, source, fallback);
        if (v == null) return fallback;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new UserError(source + ": '" + key + "' must be an integer, got " + Echo.of(v));
        }
        return v.intValue();
    }

    private static double number(JsonNode json, String key, String source, Double fallback) {
        JsonNode v = value(json, key, source, fallback);
        if (v == null) return fallback;
        if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || v.doubleValue() <= 0) {
            throw new UserError(source + ": '" + key + "' must be a positive number, got " + Echo.of(v));
        }
        return v.doubleValue();
    }

    private static boolean bool(JsonNode json, String key, String source, boolean fallback) {
        JsonNode v = value(json, key, source, fallback);
        if (v == null) return fallback;
        if (!v.isBoolean()) throw new UserError(source + ": '" + key + "' must be true or false, got " + Echo.of(v));
        return v.booleanValue();
    }
}
