package plaudit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.Echo;
import plaudit.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static plaudit.model.Safetensors.abbreviate;

/**
 * A Hugging Face folder of a Llama-family model ({@code model_type} llama, qwen2 or qwen3): {@code config.json} and
 * {@code model.safetensors} or its shards, weights in F32, F16 or BF16 (computed in float32). Reading checks every
 * tensor name and shape against the config; the weights are loaded only by {@link #model}.
 */
public final class LlamaCheckpoint {
    /** Rotary-frequency buffers that older transformers versions saved with the weights; constants, not parameters. */
    private static final Pattern INV_FREQ = Pattern.compile("model\\.layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq");
    private static final String LM_HEAD = "lm_head.weight";

    private final Path dir;
    private final LlamaConfig config;

    private LlamaCheckpoint(Path dir, LlamaConfig config) {
        this.dir = dir;
        this.config = config;
    }

    /** Reads {@code dir/config.json} and checks the weights' names and shapes against it. */
    public static LlamaCheckpoint read(Path dir) {
        LlamaConfig config = LlamaConfig.read(dir.resolve(Checkpoint.CONFIG));
        try (HfWeights weights = HfWeights.open(dir)) {
            check(weights, config, dir.toString());
        }
        return new LlamaCheckpoint(dir, config);
    }

    public LlamaConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    /**
     * The model on {@code device}. Refused before anything is allocated when its float32 weights do not fit the
     * device; each tensor goes from its file straight into the model's memory.
     */
    public Llama model(Device device) {
        NDManager manager = Engine.getEngine("PyTorch").newBaseManager(device);
        try {
            return new Llama(config, device, manager, parameters(manager));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The weights as float32 arrays owned by {@code manager}, named as {@link Llama#parameters()}; refused before
     * anything is read when they do not fit the manager's device, or when a tensor holds NaN or infinity.
     */
    public Map<String, NDArray> parameters(NDManager manager) {
        ModelBudget.checkFits(config.parameterCount(), config.largestTensor(), config.describe(), manager.getDevice(),
                ModelBudget.WEIGHT_BYTES_PER_PARAMETER, "loading");
        try (HfWeights weights = HfWeights.open(dir)) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (String name : Llama.parameterShapes(config).keySet()) {
                NDArray a = weights.readFinite(name).toNDArray(manager);
                a.setName(name);
                params.put(name, a);
            }
            return params;
        }
    }

    /**
     * {@code weights} when they are exactly the tensors of {@code cfg} (names and shapes, as {@link Llama#parameters()}
     * holds them), refused naming the first that is not: a model writes its own weights, so a mismatch is a bug.
     */
    static Map<String, NDArray> checkWeights(Map<String, NDArray> weights, LlamaConfig cfg, String source) {
        Map<String, Shape> expected = Llama.parameterShapes(cfg);
        if (!weights.keySet().equals(expected.keySet())) {
            throw new IllegalArgumentException(source + ": tensors " + abbreviate(weights.keySet()) + " are not those of "
                    + cfg.describe() + " (" + abbreviate(expected.keySet()) + ")");
        }
        weights.forEach((name, a) -> {
            if (!a.getShape().equals(expected.get(name))) {
                throw new IllegalArgumentException(source + ": " + name + " is " + a.getShape() + ", "
                        + cfg.describe() + " needs " + expected.get(name));
            }
        });
        return weights;
    }

    /**
     * Writes {@code config.json} ({@link LlamaConfig#toJson} with {@code torch_dtype} and the source folder's token
     * ids) into {@code dir}, and a {@code generation_config.json} with those ids when the folder had an end-of-sequence
     * id but no generation config of its own (one it had travelled with the tokenizer, lists of eos ids kept).
     *
     * @param tokenIds {@code bos_token_id}, {@code eos_token_id}, {@code pad_token_id} of the source's config.json, or
     *                 null when there is no source folder
     */
    static void writeConfig(Path dir, LlamaConfig cfg, Safetensors.DType weightsType, ObjectNode tokenIds)
            throws IOException {
        ObjectNode config = cfg.toJson();
        config.put("torch_dtype", switch (weightsType) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        if (tokenIds != null) config.setAll(tokenIds);
        Checkpoint.Writer.writeJson(dir.resolve(Checkpoint.CONFIG), config);
        Path generation = dir.resolve(EndOfSequence.GENERATION_CONFIG);
        if (tokenIds != null && tokenIds.has("eos_token_id") && !Files.exists(generation)) {
            ObjectNode g = JsonNodeFactory.instance.objectNode();
            if (tokenIds.has("bos_token_id")) g.set("bos_token_id", tokenIds.get("bos_token_id"));
            g.set("eos_token_id", tokenIds.get("eos_token_id"));
            Checkpoint.Writer.writeJson(generation, g);
        }
    }

    /**
     * Every tensor the config needs is present with its shape and nothing else is (bar rotary buffers, and a
     * {@code lm_head.weight} that a tied model ignores, as Hugging Face does). A config that claims far more than the
     * files hold fails first, in one short line.
     */
    private static void check(HfWeights weights, LlamaConfig cfg, String source) {
        ModelBudget.checkFile(cfg.tensorCount(), cfg.parameterCount(), cfg.describe(), weights.names().size(),
                weights.dataBytes(), source);
        Map<String, Shape> expected = Llama.parameterShapes(cfg);
        List<String> unexpected = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (String name : weights.names()) {
            if (INV_FREQ.matcher(name).matches() || (cfg.tieWordEmbeddings() && name.equals(LM_HEAD))) continue;
            Shape want = expected.get(name);
            if (want == null) {
                unexpected.add(name);
            } else if (!Arrays.equals(want.getShape(), weights.shape(name))) {
                wrongShape.add(Echo.of(name) + " is " + Arrays.toString(weights.shape(name)) + ", config needs " + want);
            }
        }
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) if (!weights.names().contains(name)) missing.add(name);
        if (missing.isEmpty() && unexpected.isEmpty() && wrongShape.isEmpty()) return;
        StringBuilder msg = new StringBuilder(source).append(": tensors do not match config.json (")
                .append(cfg.describe()).append(")");
        append(msg, "missing", missing);
        append(msg, "unexpected", unexpected);
        append(msg, "wrong shape", wrongShape);
        String hint = !cfg.tieWordEmbeddings() && missing.equals(List.of(LM_HEAD))
                ? ". The model has no lm_head.weight: set \"tie_word_embeddings\": true in config.json"
                : ". Use the config.json that belongs to these weights";
        throw new UserError(msg.append(hint).toString());
    }

    private static void append(StringBuilder msg, String what, List<String> items) {
        if (!items.isEmpty()) msg.append("; ").append(what).append(' ').append(items.size()).append(": ").append(abbreviate(items, 3));
    }
}
