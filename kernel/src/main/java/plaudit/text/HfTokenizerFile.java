package plaudit.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@code tokenizer.json} read once, fast: its bytes, and a tree of everything but the model's vocabulary and merges
 * (megabytes for Llama 3 and Qwen, and Hugging Face's library reads them itself), which are only scanned for the
 * largest id. Enough to choose the implementation ({@link BpeFiles#unsupported}) and to know the added tokens.
 *
 * @param addedTokensFrom byte offset of the {@code added_tokens} array, -1 when the file has none
 * @param addedTokensTo   byte offset just past it
 */
record HfTokenizerFile(Path path, byte[] bytes, JsonNode header, int vocabSize, int addedTokensFrom, int addedTokensTo) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static HfTokenizerFile read(Path path) {
        BpeFiles.requireFile(path);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw BpeFiles.cannotRead(path, e);
        }
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new UserError(path + ": not a Hugging Face tokenizer.json (expected a JSON object); for GPT-2's "
                        + "encoder.json + vocab.bpe use --vocab and --merges");
            }
            ObjectNode root = JSON.createObjectNode();
            int maxId = -1, from = -1, to = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("model") && value == JsonToken.START_OBJECT) {
                    ObjectNode model = root.putObject("model");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        JsonToken v = p.nextToken();
                        if (key.equals("vocab")) maxId = Math.max(maxId, largestId(p, v));
                        else if (key.equals("merges")) p.skipChildren();
                        else model.set(key, p.readValueAsTree());
                    }
                } else if (field.equals("added_tokens") && value == JsonToken.START_ARRAY) {
                    from = Math.toIntExact(p.currentTokenLocation().getByteOffset());
                    JsonNode added = p.readValueAsTree();
                    to = Math.toIntExact(p.currentLocation().getByteOffset());
                    for (JsonNode t : added) maxId = Math.max(maxId, t.path("id").asInt(-1));
                    root.set(field, added);
                } else {
                    root.set(field, p.readValueAsTree());
                }
            }
            if (p.nextToken() != null) throw new UserError(path + ": text after the JSON object; the file is damaged, fetch or export it again");
            BpeFiles.requireModel(root, path);
            return new HfTokenizerFile(path, bytes, root, maxId + 1, from, to);
        } catch (JsonProcessingException e) {
            throw BpeFiles.notJson(path, e);
        } catch (IOException e) {
            throw BpeFiles.cannotRead(path, e);
        }
    }

    /** Largest id of a vocabulary: an object of token → id (BPE, WordPiece), or Unigram's array of [piece, score]. */
    private static int largestId(JsonParser p, JsonToken start) throws IOException {
        int max = -1;
        if (start == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (p.nextToken() == JsonToken.VALUE_NUMBER_INT) max = Math.max(max, p.getIntValue());
                else p.skipChildren();
            }
        } else if (start == JsonToken.START_ARRAY) {
            while (p.nextToken() != JsonToken.END_ARRAY) {
                p.skipChildren();
                max++;
            }
        } else {
            p.skipChildren();
        }
        return max;
    }

    /** The same file with the special added tokens taken out; the rest byte for byte as it was. */
    byte[] withoutSpecialTokens() {
        if (addedTokensFrom < 0) return bytes;
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode t : header.path("added_tokens")) if (!t.path("special").asBoolean(false)) kept.add(t);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        out.write(bytes, 0, addedTokensFrom);
        out.writeBytes(kept.toString().getBytes(StandardCharsets.UTF_8));
        out.write(bytes, addedTokensTo, bytes.length - addedTokensTo);
        return out.toByteArray();
    }
}
