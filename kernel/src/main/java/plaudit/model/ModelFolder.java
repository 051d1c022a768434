package plaudit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import plaudit.Echo;
import plaudit.UserError;
import plaudit.text.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face model folder of any supported family, chosen by {@code config.json}'s {@code model_type}: {@code gpt2}
 * (Plaudit's own checkpoints, {@link Checkpoint}) or {@code llama}, {@code qwen2}, {@code qwen3} ({@link LlamaCheckpoint}).
 */
public final class ModelFolder {
    public static final List<String> MODEL_TYPES = List.of("gpt2", "llama", "qwen2", "qwen3");

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** HF writes config.json in a few KB; label maps of classification heads can make it longer, never megabytes. */
    private static final long MAX_CONFIG_BYTES = 4_000_000;

    private ModelFolder() {
    }

    /** The model of {@code dir} on {@code device}, whatever its family. */
    public static CausalLm open(Path dir, Device device) {
        String type = modelType(dir);
        if (type.equals("gpt2")) return Checkpoint.read(dir).model(device);
        return LlamaCheckpoint.read(dir).model(device);
    }

    /**
     * The tokenizer of {@code dir}: a GPT-2 folder's as {@link Checkpoint#tokenizer()} reads it, any other family's
     * {@code tokenizer.json} with the files that travel with it ({@link FolderTokenizer}). Close it when it is
     * {@link AutoCloseable}.
     */
    public static Tokenizer tokenizer(Path dir) {
        if (modelType(dir).equals("gpt2")) return Checkpoint.read(dir).tokenizer();
        FolderTokenizer tok = FolderTokenizer.open(dir);
        JsonNode vocab = readJson(dir.resolve(Checkpoint.CONFIG)).get("vocab_size");
        if (vocab != null && vocab.canConvertToInt() && tok.vocabSize() > vocab.intValue()) {
            tok.close();
            // an id past the embedding would fail deep in the first forward pass
            throw new UserError(dir + ": tokenizer.json has " + tok.vocabSize() + " ids but config.json's vocab_size"
                    + " is " + vocab.intValue() + "; the tokenizer belongs to another model, use the model's own");
        }
        return tok;
    }

    /**
     * The weights of {@code dir} as float32 arrays owned by {@code manager}, named as the family's model names its
     * {@link CausalLm#parameters()}: what a resumed run assigns to a model it opened elsewhere.
     */
    public static Map<String, NDArray> parameters(Path dir, NDManager manager) {
        if (modelType(dir).equals("gpt2")) return Checkpoint.read(dir).parameters(manager);
        return LlamaCheckpoint.read(dir).parameters(manager);
    }

    /**
     * {@code model_type} of {@code dir/config.json}; {@code gpt2} when the key is absent (Plaudit's GPT2Config files
     * before it was written). An unsupported type is refused, naming it and the supported ones.
     */
    public static String modelType(Path dir) {
        Path config = dir.resolve(Checkpoint.CONFIG);
        if (!Files.isRegularFile(config)) Checkpoint.read(dir); // says what is wrong with the directory
        JsonNode type = readJson(config).get("model_type");
        if (type == null) return "gpt2";
        if (!type.isTextual() || !MODEL_TYPES.contains(type.textValue())) {
            throw new UserError(config + ": model_type " + Echo.of(type) + " is not supported; Plaudit reads "
                    + String.join(", ", MODEL_TYPES) + " (use a checkpoint of one of these families)");
        }
        return type.textValue();
    }

    /** A config.json parsed as a JSON object, refusing a file far larger than any real config. */
    static JsonNode readJson(Path configJson) {
        JsonNode json = readBounded(configJson, MAX_CONFIG_BYTES, "a Hugging Face config.json is a few KB");
        if (json == null || !json.isObject()) throw new UserError(configJson + ": must be a JSON object (a Hugging Face config)");
        return json;
    }

    /**
     * A small JSON file of a Hugging Face folder, parsed (null when empty), refused unread when over {@code maxBytes}:
     * such a file is damaged or hostile, and reading it whole would be the harm. {@code realSize} says what a real one
     * weighs, for the message.
     */
    static JsonNode readBounded(Path file, long maxBytes, String realSize) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) throw new UserError(file + ": is " + size + " bytes; " + realSize + ", so this is not one");
            return JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new UserError(file + ": not valid JSON (" + Echo.of(e.getOriginalMessage()) + ")", e);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e + ")", e);
        }
    }
}
