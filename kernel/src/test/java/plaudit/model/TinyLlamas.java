package plaudit.model;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.model.Rope.Llama3Scaling;
import plaudit.text.HfReference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Tiny random Llama-family checkpoints written as Hugging Face folders: {@code config.json} and
 * {@code model.safetensors}, or shards with {@code model.safetensors.index.json}. Weights are "lively" (norm gains
 * near 1, projections of std 0.2) so that the logits vary and a wrong convention shows.
 */
public final class TinyLlamas {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Llama 3's vocabulary (128,256 ids), everything else tiny: 1 layer, hidden 8, 2 query heads over 1 KV head. */
    public static final LlamaConfig LLAMA3_VOCAB = new LlamaConfig("llama", 128256, 8, 16, 1, 2, 1, 4, 96, 1e-5, 10000,
            null, true, false, false);

    private TinyLlamas() {
    }

    /** Llama with grouped-query attention (4 query heads, 2 key/value heads), untied head. */
    public static LlamaConfig llama() {
        return new LlamaConfig("llama", 61, 32, 48, 2, 4, 2, 8, 64, 1e-5, 10000, null, false, false, false);
    }

    /**
     * Llama 3.1-style: tied embeddings, rope_scaling llama3 with original length 64, so that with head_dim 8 the four
     * wavelengths (6.3, 63, 628, 6283) fall in all three regimes (kept, interpolated, stretched); biases everywhere.
     */
    static LlamaConfig llama3() {
        return new LlamaConfig("llama", 61, 32, 48, 2, 4, 1, 8, 128, 1e-5, 10000,
                new Llama3Scaling(8, 1, 4, 64), true, true, true);
    }

    /** Qwen2: bias on q, k and v, GQA, tied. */
    static LlamaConfig qwen2() {
        return new LlamaConfig("qwen2", 61, 32, 48, 2, 4, 2, 8, 64, 1e-6, 1_000_000, null, true, false, false);
    }

    /** Qwen3: q/k RMSNorm per head and a head_dim (12) other than hidden_size / heads (8), untied. */
    static LlamaConfig qwen3() {
        return new LlamaConfig("qwen3", 61, 32, 48, 2, 4, 2, 12, 64, 1e-6, 1_000_000, null, false, false, false);
    }

    static LinkedHashMap<String, float[]> values(LlamaConfig cfg, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        LinkedHashMap<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : Llama.parameterShapes(cfg).entrySet()) {
            String name = e.getKey();
            float[] v = new float[(int) e.getValue().size()];
            boolean gain = name.endsWith("norm.weight") || name.endsWith("layernorm.weight");
            double std = gain ? 0.1 : name.endsWith(".bias") ? 0.1 : name.contains("embed") || name.contains("lm_head") ? 0.5 : 0.2;
            for (int i = 0; i < v.length; i++) v[i] = (float) ((gain ? 1 : 0) + rng.nextGaussian() * std);
            values.put(name, v);
        }
        return values;
    }

    /** Writes a random model of {@code cfg}; see {@link #write(Path, LlamaConfig, Map, Safetensors.DType, int)}. */
    public static Path write(Path dir, LlamaConfig cfg, long seed, Safetensors.DType dtype, int shards) {
        return write(dir, cfg, values(cfg, seed), dtype, shards);
    }

    /** Writes {@code values} in {@code dtype}, in one file ({@code shards} = 1) or split across that many shards. */
    static Path write(Path dir, LlamaConfig cfg, Map<String, float[]> values, Safetensors.DType dtype, int shards) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(configJson(cfg, dtype)));
            Map<String, Shape> shapes = Llama.parameterShapes(cfg);
            List<String> names = new ArrayList<>(values.keySet());
            ObjectNode index = JSON.createObjectNode();
            index.putObject("metadata").put("total_size", 0);
            ObjectNode map = index.putObject("weight_map");
            for (int s = 0; s < shards; s++) {
                String file = shards == 1 ? "model.safetensors"
                        : String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
                SafetensorsWriter w = Safetensors.writer().dtype(dtype).metadata("format", "pt");
                for (int i = s * names.size() / shards; i < (s + 1) * names.size() / shards; i++) {
                    String name = names.get(i);
                    w.tensor(name, new TensorData(shapes.get(name).getShape(), values.get(name)));
                    map.put(name, file);
                }
                w.write(dir.resolve(file));
            }
            if (shards > 1) Files.writeString(dir.resolve("model.safetensors.index.json"), JSON.writeValueAsString(index));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode configJson(LlamaConfig cfg, Safetensors.DType dtype) {
        ObjectNode j = JSON.createObjectNode();
        String arch = switch (cfg.modelType()) {
            case "qwen2" -> "Qwen2ForCausalLM";
            case "qwen3" -> "Qwen3ForCausalLM";
            default -> "LlamaForCausalLM";
        };
        j.putArray("architectures").add(arch);
        j.put("model_type", cfg.modelType());
        j.put("vocab_size", cfg.vocabSize());
        j.put("hidden_size", cfg.hiddenSize());
        j.put("intermediate_size", cfg.intermediateSize());
        j.put("num_hidden_layers", cfg.numHiddenLayers());
        j.put("num_attention_heads", cfg.numAttentionHeads());
        j.put("num_key_value_heads", cfg.numKeyValueHeads());
        j.put("head_dim", cfg.headDim());
        j.put("max_position_embeddings", cfg.maxPositionEmbeddings());
        j.put("rms_norm_eps", cfg.rmsNormEps());
        j.put("rope_theta", cfg.ropeTheta());
        if (cfg.ropeScaling() == null) {
            j.putNull("rope_scaling");
        } else {
            Llama3Scaling s = cfg.ropeScaling();
            j.putObject("rope_scaling").put("rope_type", "llama3").put("factor", s.factor())
                    .put("low_freq_factor", s.lowFreqFactor()).put("high_freq_factor", s.highFreqFactor())
                    .put("original_max_position_embeddings", (int) s.originalMaxPositionEmbeddings());
        }
        j.put("tie_word_embeddings", cfg.tieWordEmbeddings());
        if (!cfg.modelType().equals("qwen2")) j.put("attention_bias", cfg.attentionBias());
        if (cfg.modelType().equals("llama")) j.put("mlp_bias", cfg.mlpBias());
        if (!cfg.modelType().equals("llama")) {
            j.put("use_sliding_window", false);
            j.put("sliding_window", 4096);
            j.put("max_window_layers", cfg.numHiddenLayers());
        }
        j.put("hidden_act", "silu");
        j.put("attention_dropout", 0.0);
        j.put("bos_token_id", 1);
        j.putArray("eos_token_id").add(2).add(3);
        j.put("initializer_range", 0.02);
        j.put("use_cache", true);
        j.put("torch_dtype", switch (dtype) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> "float32";
        });
        j.put("transformers_version", "4.51.0");
        return j;
    }

    /**
     * A random Llama of {@link #LLAMA3_VOCAB} in {@code dir} with Llama 3's real tokenizer files (chat template
     * included), bos and eos ids as Llama 3.2 Instruct names them (generation stops at end_of_text or eot_id), or with
     * no eos id anywhere ({@code withEos} false).
     */
    public static Path withLlama3Tokenizer(Path dir, boolean withEos) throws IOException {
        write(dir, LLAMA3_VOCAB, 7, Safetensors.DType.F32, 1);
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        config.put("bos_token_id", 128000);
        if (withEos) config.put("eos_token_id", 128001);
        else config.remove("eos_token_id");
        Files.writeString(dir.resolve("config.json"), config.toString());
        if (withEos) {
            Files.writeString(dir.resolve("generation_config.json"),
                    "{\"bos_token_id\": 128000, \"eos_token_id\": [128001, 128009], \"do_sample\": true}");
        }
        Path llama3 = HfReference.dir("llama3");
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) Files.copy(llama3.resolve(f), dir.resolve(f));
        return dir;
    }
}
