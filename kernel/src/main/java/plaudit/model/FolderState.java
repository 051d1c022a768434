package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import plaudit.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Plaudit's own state beside the Hugging Face files of a model folder of any family: named safetensors files
 * ({@code optimizer.safetensors}, {@code score_head.safetensors}, {@code trainable.safetensors}) and named JSON files
 * ({@code trainer_state.json}). Listing them reads neither the model nor its config; tensors are read when asked for.
 */
public final class FolderState {
    /** JSON files of HF folders; they are not Plaudit state. */
    static final Set<String> HF_JSON = Set.of("config", "tokenizer", "tokenizer_config", "vocab",
            "special_tokens_map", "generation_config", "added_tokens", "model.safetensors.index");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Set<String> tensorNames;
    private final Set<String> jsonNames;

    private FolderState(Path dir, Set<String> tensorNames, Set<String> jsonNames) {
        this.dir = dir;
        this.tensorNames = tensorNames;
        this.jsonNames = jsonNames;
    }

    /**
     * The state files of {@code dir}; a missing directory is refused, saying where the previous checkpoint is when a
     * write was cut between its renames and could not be finished.
     */
    public static FolderState read(Path dir) {
        if (!Files.isDirectory(dir) && !AtomicDirectory.finishInterrupted(dir)) {
            if (Files.exists(dir)) throw new UserError(dir + ": is a file, not a checkpoint directory");
            String hint = AtomicDirectory.leftovers(dir, AtomicDirectory.OLD).stream().findFirst()
                    .map(old -> "; a write was interrupted while replacing it: the previous checkpoint is in " + old
                            + ", rename it to " + dir.getFileName())
                    .orElse("");
            throw new UserError(dir + ": no such checkpoint directory" + hint);
        }
        Set<String> tensors = new TreeSet<>();
        Set<String> jsons = new TreeSet<>();
        for (String file : list(dir)) {
            boolean weights = file.equals(Checkpoint.WEIGHTS) || file.matches("model-\\d+-of-\\d+\\.safetensors");
            if (file.endsWith(".safetensors") && !weights) tensors.add(stem(file, ".safetensors"));
            if (file.endsWith(".json") && !HF_JSON.contains(stem(file, ".json"))) jsons.add(stem(file, ".json"));
        }
        return new FolderState(dir, Collections.unmodifiableSet(tensors), Collections.unmodifiableSet(jsons));
    }

    public Path dir() {
        return dir;
    }

    /** Names of the extra tensor files (e.g. {@code optimizer} for {@code optimizer.safetensors}). */
    public Set<String> tensorNames() {
        return tensorNames;
    }

    /** The tensors of {@code <name>.safetensors} as float32 NDArrays owned by {@code manager}. */
    public Map<String, NDArray> tensors(String name, NDManager manager) {
        if (!tensorNames.contains(name)) {
            throw new UserError(dir + ": has no " + name + ".safetensors (it has " + Safetensors.abbreviate(tensorNames) + ")");
        }
        return Safetensors.read(dir.resolve(name + ".safetensors"), manager);
    }

    /** Names of the Plaudit JSON files (e.g. {@code trainer_state}); HF's own JSON files are not listed. */
    public Set<String> jsonNames() {
        return jsonNames;
    }

    public JsonNode json(String name) {
        if (!jsonNames.contains(name)) {
            throw new UserError(dir + ": has no " + name + ".json (it has " + Safetensors.abbreviate(jsonNames) + ")");
        }
        Path file = dir.resolve(name + ".json");
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new UserError(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e + ")", e);
        }
    }

    /** {@code <name>.json} bound to a type with Jackson (records, maps, beans). */
    public <T> T json(String name, Class<T> type) {
        try {
            return JSON.treeToValue(json(name), type);
        } catch (JsonProcessingException e) {
            throw new UserError(dir.resolve(name + ".json") + ": does not fit " + type.getSimpleName() + " ("
                    + e.getOriginalMessage() + ")", e);
        }
    }

    static List<String> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list (" + e + ")", e);
        }
    }

    private static String stem(String file, String extension) {
        return file.substring(0, file.length() - extension.length());
    }
}
