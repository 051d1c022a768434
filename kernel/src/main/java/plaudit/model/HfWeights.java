package plaudit.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import plaudit.Echo;
import plaudit.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The weights of a Hugging Face folder: one {@code model.safetensors}, or shards
 * {@code model-0000N-of-0000M.safetensors} whose tensors {@code model.safetensors.index.json} maps
 * ({@code "weight_map": {name: shard}}). Every shard's header is read and checked when opened; tensors are read only
 * when asked for.
 */
final class HfWeights implements AutoCloseable {
    static final String INDEX = Checkpoint.WEIGHTS + ".index.json";
    /** A shard is a plain file name in the folder: no directories, so an index cannot point outside it. */
    private static final Pattern SHARD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*\\.safetensors");
    /** An index lists one line per tensor: a few hundred KB for the largest models. */
    private static final long MAX_INDEX_BYTES = 32_000_000;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final List<Safetensors.Reader> readers;
    private final Map<String, Safetensors.Reader> byName;

    private HfWeights(List<Safetensors.Reader> readers, Map<String, Safetensors.Reader> byName) {
        this.readers = readers;
        this.byName = byName;
    }

    /** Opens {@code dir/model.safetensors}, or else the shards of {@code dir/model.safetensors.index.json}. */
    static HfWeights open(Path dir) {
        Path single = dir.resolve(Checkpoint.WEIGHTS);
        if (Files.isRegularFile(single)) {
            Safetensors.Reader r = Safetensors.open(single);
            Map<String, Safetensors.Reader> byName = new LinkedHashMap<>();
            for (String name : r.names()) byName.put(name, r);
            return new HfWeights(List.of(r), byName);
        }
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            throw new UserError(dir + ": has neither " + Checkpoint.WEIGHTS + " nor " + INDEX + "; save the model with"
                    + " save_pretrained(dir, safe_serialization=True)");
        }
        Map<String, String> weightMap = weightMap(index);
        Map<String, Safetensors.Reader> shards = new LinkedHashMap<>();
        Map<String, Safetensors.Reader> byName = new LinkedHashMap<>();
        try {
            for (String shard : weightMap.values()) {
                if (!shards.containsKey(shard)) shards.put(shard, Safetensors.open(dir.resolve(shard)));
            }
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                Safetensors.Reader r = shards.get(e.getValue());
                if (!r.has(e.getKey())) {
                    throw new UserError(index + ": maps tensor " + Echo.quote(e.getKey()) + " to " + Echo.of(e.getValue())
                            + ", which does not hold it; the index belongs to other shards: save the model again");
                }
                byName.put(e.getKey(), r);
            }
        } catch (RuntimeException e) {
            shards.values().forEach(Safetensors.Reader::close);
            throw e;
        }
        return new HfWeights(new ArrayList<>(shards.values()), byName);
    }

    private static Map<String, String> weightMap(Path index) {
        JsonNode json = ModelFolder.readBounded(index, MAX_INDEX_BYTES, "an index is a few hundred KB");
        JsonNode map = json == null ? null : json.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new UserError(index + ": has no \"weight_map\" object of tensor name -> shard file; save the model"
                    + " again with save_pretrained");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode shard = e.getValue();
            if (!shard.isTextual() || !SHARD.matcher(shard.textValue()).matches()) {
                throw new UserError(index + ": tensor " + Echo.quote(e.getKey()) + " maps to " + Echo.of(shard)
                        + "; a shard must be a .safetensors file name in the same folder");
            }
            out.put(e.getKey(), shard.textValue());
        }
        return out;
    }

    /** Tensor names, in index (or header) order. */
    Set<String> names() {
        return byName.keySet();
    }

    long[] shape(String name) {
        return byName.get(name).entry(name).shape();
    }

    /** Bytes of tensor data in all files, for {@link ModelBudget}'s check that a config fits its weights. */
    long dataBytes() {
        long bytes = 0;
        for (Map.Entry<String, Safetensors.Reader> e : byName.entrySet()) bytes += e.getValue().entry(e.getKey()).byteLength();
        return bytes;
    }

    /** One tensor as float32, refusing NaN or infinity. */
    TensorData readFinite(String name) {
        return byName.get(name).readFinite(name);
    }

    /** The file that holds {@code name}. */
    Path file(String name) {
        return byName.get(name).file();
    }

    @Override
    public void close() {
        readers.forEach(Safetensors.Reader::close);
    }
}
