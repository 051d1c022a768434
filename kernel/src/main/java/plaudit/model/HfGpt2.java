package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.Echo;
import plaudit.UserError;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static plaudit.model.Safetensors.abbreviate;

/**
 * Hugging Face GPT-2 ({@code GPT2LMHeadModel}) naming, shapes and {@code config.json}, so that Plaudit reads and
 * writes the same folders as {@code from_pretrained} / {@code save_pretrained}.
 *
 * <p>Parameter maps use HF names with the {@code transformer.} prefix and HF layouts: the attention and MLP weights
 * are Conv1D, stored {@code [in, out]} (the transpose of {@code nn.Linear}). The output head is tied to
 * {@code transformer.wte.weight}, so there is no separate {@code lm_head.weight}.
 */
public final class HfGpt2 {
    public static final String PREFIX = "transformer.";
    public static final String LM_HEAD = "lm_head.weight";
    public static final String WTE = PREFIX + "wte.weight";

    /** Causal-mask buffers that older HF versions saved with the weights; they are constants, not parameters. */
    private static final Pattern MASK_BUFFER = Pattern.compile("(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias)");
    private static final double LAYER_NORM_EPSILON = 1e-5;
    private static final double HF_DEFAULT_DROPOUT = 0.1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** HF writes config.json in a few KB; label maps of classification heads can make it longer, never megabytes. */
    private static final long MAX_CONFIG_BYTES = 4_000_000;

    /** config.json keys that define a Plaudit {@link GptConfig}. */
    private static final Set<String> SHAPE_KEYS = Set.of("n_layer", "n_head", "n_embd", "n_positions", "vocab_size");
    private static final Set<String> DROPOUT_KEYS = Set.of("resid_pdrop", "embd_pdrop", "attn_pdrop");
    /** Keys whose value changes the network; only GPT-2's own values are accepted (checked in {@link #checkFixed}). */
    private static final Set<String> FIXED_KEYS = Set.of("model_type", "activation_function", "layer_norm_epsilon",
            "n_inner", "scale_attn_weights", "scale_attn_by_inverse_layer_idx", "add_cross_attention",
            "tie_word_embeddings", "is_encoder_decoder");
    /**
     * Known GPT2Config / PretrainedConfig keys that do not change the forward pass: token ids, the sequence-summary
     * head of GPT2DoubleHeads, init and runtime switches, labels for classification heads, bookkeeping, and the
     * generation defaults older transformers versions stored in config.json.
     */
    private static final Set<String> IGNORED_KEYS = Set.of(
            "n_ctx", "initializer_range", "reorder_and_upcast_attn", "use_cache", "gradient_checkpointing",
            "bos_token_id", "eos_token_id", "pad_token_id", "sep_token_id", "decoder_start_token_id",
            "summary_type", "summary_use_proj", "summary_activation", "summary_proj_to_labels", "summary_first_dropout",
            "architectures", "transformers_version", "torch_dtype", "dtype", "task_specific_params", "tokenizer_class",
            "prefix", "finetuning_task", "id2label", "label2id", "num_labels", "problem_type", "pruned_heads",
            "output_hidden_states", "output_attentions", "return_dict", "use_return_dict", "torchscript",
            "use_bfloat16", "chunk_size_feed_forward", "is_decoder", "tie_encoder_decoder",
            "cross_attention_hidden_size",
            "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups",
            "diversity_penalty", "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty",
            "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences",
            "output_scores", "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id",
            "remove_invalid_values", "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens");

    private HfGpt2() {
    }

    // ---------------------------------------------------------------- parameter names and shapes

    /** Every parameter of a GPT-2 with this config, HF name → shape, in module order (as {@link Gpt} lays them out). */
    public static Map<String, long[]> parameterShapes(GptConfig cfg) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Gpt.parameterShapes(cfg).forEach((name, shape) -> shapes.put(name, shape.getShape()));
        return shapes;
    }

    /**
     * Matches the tensor names of an HF file (or of a parameter map) against a config. Names may lack the
     * {@code transformer.} prefix (GPT2Model files); causal-mask buffers are skipped; {@code lm_head.weight} is
     * allowed (its tie to wte is checked by the loader). Every problem is collected and reported in one
     * {@link UserError}.
     *
     * @param shapes tensor name as given → shape
     * @param source what to name in the error (a file)
     * @return canonical parameter name → the name as given, in module order (without buffers and lm_head)
     */
    public static Map<String, String> matchNames(Map<String, long[]> shapes, GptConfig cfg, String source) {
        Map<String, long[]> expected = parameterShapes(cfg);
        Map<String, String> givenName = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (Map.Entry<String, long[]> t : shapes.entrySet()) {
            String name = t.getKey();
            if (MASK_BUFFER.matcher(name).matches()) continue;
            String canonical = name.equals(LM_HEAD) ? WTE : canonicalName(name);
            long[] want = expected.get(canonical);
            if (want == null) {
                unexpected.add(name);
                continue;
            }
            if (!Arrays.equals(want, t.getValue())) {
                wrongShape.add(Echo.of(name) + " is " + Echo.of(Arrays.toString(t.getValue())) + ", config needs "
                        + Arrays.toString(want));
            }
            if (name.equals(LM_HEAD)) continue;
            String earlier = givenName.putIfAbsent(canonical, name);
            if (earlier != null) unexpected.add(Echo.of(name) + " (duplicate of " + Echo.of(earlier) + ")");
        }
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) if (!givenName.containsKey(name)) missing.add(name);
        if (!missing.isEmpty() || !unexpected.isEmpty() || !wrongShape.isEmpty()) {
            StringBuilder msg = new StringBuilder(source).append(": tensors do not match the GPT-2 config (")
                    .append(describe(cfg)).append(")");
            appendList(msg, "missing", missing);
            appendList(msg, "unexpected", unexpected);
            appendList(msg, "wrong shape", wrongShape);
            msg.append(". Use the config.json that belongs to these weights (Plaudit loads GPT-2 with a tied head only)");
            throw new UserError(msg.toString());
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String name : expected.keySet()) ordered.put(name, givenName.get(name));
        return ordered;
    }

    private static void appendList(StringBuilder msg, String what, List<String> items) {
        if (!items.isEmpty()) msg.append("; ").append(what).append(' ').append(items.size()).append(": ").append(abbreviate(items, 3));
    }

    /** Adds the {@code transformer.} prefix that GPT2Model files leave out. */
    public static String canonicalName(String name) {
        return name.startsWith(PREFIX) ? name : PREFIX + name;
    }

    /**
     * Reads the GPT-2 parameters of an HF safetensors file as float32 NDArrays owned by {@code manager}, keyed by
     * canonical HF name. Checks names and shapes against {@code cfg} first, and that a stored {@code lm_head.weight}
     * is bit-identical to wte (a tied head); refuses NaN or infinity (a model that diverged).
     */
    public static Map<String, NDArray> loadParameters(Safetensors.Reader file, GptConfig cfg, NDManager manager) {
        Map<String, String> names = checkFile(file, cfg);
        Map<String, NDArray> params = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> n : names.entrySet()) {
                params.put(n.getKey(), file.readFinite(n.getValue()).toNDArray(manager));
            }
        } catch (RuntimeException e) {
            params.values().forEach(NDArray::close);
            throw e;
        }
        return params;
    }

    /**
     * {@link #matchNames} for a file, plus the tied-head check; returns canonical name → name in the file. The
     * config's tensor count and size are compared with the file's first, so a config that claims far more than the
     * file holds (a huge n_layer) fails at once, without listing what it would need.
     */
    public static Map<String, String> checkFile(Safetensors.Reader file, GptConfig cfg) {
        ModelBudget.checkFile(file, cfg);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String name : file.names()) shapes.put(name, file.entry(name).shape());
        Map<String, String> names = matchNames(shapes, cfg, file.file().toString());
        if (file.has(LM_HEAD) && !file.read(LM_HEAD).equals(file.read(names.get(WTE)))) {
            throw untiedHead(file.file().toString());
        }
        return names;
    }

    /**
     * Checks a parameter map (e.g. a model's) against a config and returns it keyed by canonical names in module
     * order, without buffers or a (tied) {@code lm_head.weight}.
     */
    public static Map<String, NDArray> canonicalParameters(Map<String, NDArray> params, GptConfig cfg, String source) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        params.forEach((name, a) -> shapes.put(name, a.getShape().getShape()));
        Map<String, String> names = matchNames(shapes, cfg, source);
        NDArray head = params.get(LM_HEAD);
        if (head != null && !TensorData.of(head).equals(TensorData.of(params.get(names.get(WTE))))) {
            throw untiedHead(source);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        names.forEach((canonical, given) -> out.put(canonical, params.get(given)));
        return out;
    }

    private static UserError untiedHead(String source) {
        return new UserError(source + ": " + LM_HEAD + " differs from " + WTE + ". Plaudit's GPT-2 ties the output"
                + " head to the token embedding, so an untied head cannot be loaded; use a GPT-2 with tied embeddings");
    }

    // ---------------------------------------------------------------- config.json

    /** {@code eos_token_id} of a config.json, when it has an integer one. */
    public static OptionalInt readEosTokenId(Path configJson) {
        try {
            JsonNode eos = JSON.readTree(configJson.toFile()).get("eos_token_id");
            return eos != null && eos.canConvertToInt() && eos.isIntegralNumber() ? OptionalInt.of(eos.intValue())
                    : OptionalInt.empty();
        } catch (IOException e) {
            throw new UserError(configJson + ": cannot read (" + e + ")", e);
        }
    }

    /** Reads an HF GPT2Config {@code config.json}. */
    public static GptConfig readConfig(Path configJson) {
        JsonNode json = ModelFolder.readBounded(configJson, MAX_CONFIG_BYTES, "a GPT2Config is a few KB");
        return parseConfig(json, configJson.toString());
    }

    /**
     * Builds a {@link GptConfig} from a parsed HF config. The five size keys are required; the three dropout
     * probabilities default to HF's 0.1 and must agree (Plaudit has one). Every other key must be a known GPT2Config
     * key, so that a typo is reported rather than silently ignored; keys starting with {@code _} are HF bookkeeping.
     */
    public static GptConfig parseConfig(JsonNode json, String source) {
        if (json == null || !json.isObject()) throw new UserError(source + ": must be a JSON object (HF GPT2Config)");
        String type = json.path("model_type").asText("gpt2"); // before the key check: "unknown key" misleads
        if (!type.equals("gpt2") && ModelFolder.MODEL_TYPES.contains(type)) {
            throw new UserError(source + ": model_type \"" + type + "\" is read only by plaudit logprobs and sample so far;"
                    + " this needs a GPT-2 checkpoint (model_type \"gpt2\")");
        }
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.startsWith("_") && !SHAPE_KEYS.contains(key) && !DROPOUT_KEYS.contains(key)
                    && !FIXED_KEYS.contains(key) && !IGNORED_KEYS.contains(key)) {
                String near = nearestKey(key);
                throw new UserError(source + ": unknown key '" + Echo.of(key) + "'" + (near == null ? "" : " (did you mean '"
                        + near + "'?)") + "; config.json must be a Hugging Face GPT2Config");
            }
        }
        int nEmbd = intKey(json, "n_embd", source);
        checkFixed(json, nEmbd, source);
        double dropout = dropout(json, source);
        int nLayer = intKey(json, "n_layer", source);
        int nHead = intKey(json, "n_head", source);
        int blockSize = intKey(json, "n_positions", source);
        int vocabSize = intKey(json, "vocab_size", source);
        try {
            return new GptConfig(nLayer, nHead, nEmbd, blockSize, vocabSize, dropout);
        } catch (UserError e) {
            throw new UserError(source + ": " + e.getMessage(), e);
        }
    }

    private static int intKey(JsonNode json, String key, String source) {
        JsonNode v = json.get(key);
        if (v == null) throw new UserError(source + ": missing required key '" + key + "'");
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new UserError(source + ": '" + key + "' must be an integer, got " + Echo.of(v));
        }
        return v.intValue();
    }

    private static double dropout(JsonNode json, String source) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String key : List.of("resid_pdrop", "embd_pdrop", "attn_pdrop")) {
            JsonNode v = json.get(key);
            if (v != null && !v.isNumber()) throw new UserError(source + ": '" + key + "' must be a number, got " + Echo.of(v));
            values.put(key, v == null ? HF_DEFAULT_DROPOUT : v.doubleValue());
        }
        if (values.values().stream().distinct().count() > 1) {
            throw new UserError(source + ": Plaudit uses one dropout probability but the config has " + values
                    + "; set resid_pdrop, embd_pdrop and attn_pdrop to the same value");
        }
        return values.get("resid_pdrop");
    }

    /** Rejects settings that would make HF's network differ from Plaudit's GPT-2. */
    private static void checkFixed(JsonNode json, int nEmbd, String source) {
        requireValue(json, "model_type", source, "\"gpt2\"", v -> v.isTextual() && v.textValue().equals("gpt2"));
        requireValue(json, "activation_function", source, "\"gelu_new\" (GPT-2's tanh GELU)",
                v -> v.isTextual() && (v.textValue().equals("gelu_new") || v.textValue().equals("gelu_pytorch_tanh")));
        requireValue(json, "layer_norm_epsilon", source, "1e-5",
                v -> v.isNumber() && Math.abs(v.doubleValue() - LAYER_NORM_EPSILON) <= 1e-12);
        requireValue(json, "n_inner", source, "null or 4 * n_embd = " + 4L * nEmbd,
                v -> v.isNull() || (v.isIntegralNumber() && v.longValue() == 4L * nEmbd));
        requireValue(json, "scale_attn_weights", source, "true", v -> v.isBoolean() && v.booleanValue());
        for (String key : List.of("scale_attn_by_inverse_layer_idx", "add_cross_attention", "is_encoder_decoder")) {
            requireValue(json, key, source, "false", v -> v.isBoolean() && !v.booleanValue());
        }
        requireValue(json, "tie_word_embeddings", source, "true", v -> v.isBoolean() && v.booleanValue());
    }

    private static void requireValue(JsonNode json, String key, String source, String expected,
                                     Predicate<JsonNode> ok) {
        JsonNode v = json.get(key);
        if (v != null && !ok.test(v)) {
            throw new UserError(source + ": '" + key + "' is " + Echo.of(v) + " but Plaudit's GPT-2 supports only " + expected);
        }
    }

    /**
     * An HF GPT2Config for {@code GPT2LMHeadModel.from_pretrained}: the GPT-2 architecture constants plus this
     * config's sizes and dropout. {@code eosTokenId} (also used as bos, as GPT-2 does) may be null.
     */
    public static ObjectNode configJson(GptConfig cfg, Integer eosTokenId, Safetensors.DType weightsType) {
        ObjectNode j = JSON.createObjectNode();
        j.put("activation_function", "gelu_new");
        j.putArray("architectures").add("GPT2LMHeadModel");
        j.put("attn_pdrop", cfg.dropout());
        j.put("bos_token_id", eosTokenId);
        j.put("embd_pdrop", cfg.dropout());
        j.put("eos_token_id", eosTokenId);
        j.put("initializer_range", 0.02);
        j.put("layer_norm_epsilon", LAYER_NORM_EPSILON);
        j.put("model_type", "gpt2");
        j.put("n_ctx", cfg.blockSize());
        j.put("n_embd", cfg.nEmbd());
        j.put("n_head", cfg.nHead());
        j.putNull("n_inner");
        j.put("n_layer", cfg.nLayer());
        j.put("n_positions", cfg.blockSize());
        j.put("reorder_and_upcast_attn", false);
        j.put("resid_pdrop", cfg.dropout());
        j.put("scale_attn_by_inverse_layer_idx", false);
        j.put("scale_attn_weights", true);
        j.putNull("summary_activation");
        j.put("summary_first_dropout", 0.1);
        j.put("summary_proj_to_labels", true);
        j.put("summary_type", "cls_index");
        j.put("summary_use_proj", true);
        j.put("tie_word_embeddings", true);
        j.put("torch_dtype", switch (weightsType) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        j.put("use_cache", true);
        j.put("vocab_size", cfg.vocabSize());
        return j;
    }

    static String describe(GptConfig cfg) {
        return String.format(Locale.ROOT, "n_layer=%d, n_head=%d, n_embd=%d, n_positions=%d, vocab_size=%d",
                cfg.nLayer(), cfg.nHead(), cfg.nEmbd(), cfg.blockSize(), cfg.vocabSize());
    }

    /** The known key closest to a typo (edit distance at most 2), or null. */
    private static String nearestKey(String key) {
        Set<String> known = new TreeSet<>(SHAPE_KEYS);
        known.addAll(DROPOUT_KEYS);
        known.addAll(FIXED_KEYS);
        known.addAll(IGNORED_KEYS);
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = editDistance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
