package plaudit.text;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;
import plaudit.text.ByteLevelBpe.Merge;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the two on-disk forms of a byte-level BPE tokenizer: OpenAI's GPT-2 pair ({@code encoder.json},
 * token → id, and {@code vocab.bpe}, one merge "left right" per line after a {@code #version} header), and Hugging
 * Face's single {@code tokenizer.json}. Anything these classes cannot reproduce exactly (another model type, a
 * normalizer, another pre-tokenizer) is refused with a {@link UserError} rather than encoded differently.
 */
final class BpeFiles {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private BpeFiles() {
    }

    static ByteLevelBpe read(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("tokenizer.json"))) return readTokenizerJson(path.resolve("tokenizer.json"));
            if (Files.isRegularFile(path.resolve("encoder.json"))) {
                return readGpt2(path.resolve("encoder.json"), path.resolve("vocab.bpe"));
            }
            throw new UserError(path + ": this directory holds neither tokenizer.json nor encoder.json + vocab.bpe");
        }
        Path name = path.getFileName();
        if (name != null && name.toString().equals("encoder.json")) return readGpt2(path, path.resolveSibling("vocab.bpe"));
        return readTokenizerJson(path);
    }

    static ByteLevelBpe readGpt2(Path encoderJson, Path vocabBpe) {
        JsonNode root = readJson(encoderJson);
        if (!root.isObject()) {
            throw new UserError(encoderJson + ": expected a JSON object of token → id (GPT-2's encoder.json), found "
                    + root.getNodeType() + "; pass encoder.json with --vocab and vocab.bpe with --merges");
        }
        Map<String, Integer> vocab = readVocab(root, encoderJson.toString());
        List<Merge> merges = readMergeLines(vocabBpe);
        // GPT-2 has one special token, the last id; encoder.json lists it among the ordinary tokens.
        Integer eos = vocab.get(ByteLevelBpe.END_OF_TEXT);
        List<AddedToken> added = eos == null ? List.of() : List.of(AddedToken.special(eos, ByteLevelBpe.END_OF_TEXT));
        return new ByteLevelBpe(vocab, merges, added, encoderJson + " with " + vocabBpe);
    }

    private static List<Merge> readMergeLines(Path vocabBpe) {
        requireFile(vocabBpe);
        List<String> lines;
        try {
            lines = Files.readAllLines(vocabBpe, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new UserError(vocabBpe + ": not UTF-8 text; expected GPT-2's vocab.bpe (one merge per line)", e);
        } catch (IOException e) {
            throw cannotRead(vocabBpe, e);
        }
        List<Merge> merges = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if ((i == 0 && line.startsWith("#version")) || line.isEmpty()) continue;
            merges.add(parseMerge(line, vocabBpe, "line " + (i + 1)));
        }
        return merges;
    }

    private static Merge parseMerge(String text, Object file, String where) {
        String[] parts = text.split(" ", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new UserError(file + " " + where + ": expected a merge of two tokens separated by one space, found '" + text
                    + "'; the merges file is damaged or truncated, fetch or export it again");
        }
        return new Merge(parts[0], parts[1]);
    }

    static ByteLevelBpe readTokenizerJson(Path path) {
        return readTokenizerJson(readTokenizerJsonTree(path), path.toString());
    }

    /** The JSON of a Hugging Face {@code tokenizer.json}, refused in one line when it is none. */
    static JsonNode readTokenizerJsonTree(Path path) {
        return requireModel(readJson(path), path);
    }

    static JsonNode requireModel(JsonNode root, Path path) {
        if (!root.path("model").isObject()) {
            throw new UserError(path + ": not a Hugging Face tokenizer.json (no \"model\" object); for GPT-2's "
                    + "encoder.json + vocab.bpe use --vocab and --merges");
        }
        return root;
    }

    /**
     * Why {@link ByteLevelBpe} cannot reproduce this tokenizer.json exactly (another model type, a normalizer, another
     * pre-tokenizer...), or null when it can: it is GPT-2-style byte-level BPE.
     */
    static String unsupported(JsonNode root) {
        JsonNode model = root.path("model");
        if (!model.path("type").asText("BPE").equals("BPE")) {
            return "model.type is " + model.path("type") + "; only byte-level BPE (GPT-2 style) is supported";
        }
        if (model.path("dropout").asDouble(0) != 0) return "model.dropout must be null (BPE dropout is for training)";
        if (!model.path("continuing_subword_prefix").asText("").isEmpty() || !model.path("end_of_word_suffix").asText("").isEmpty()) {
            return "continuing_subword_prefix/end_of_word_suffix are not byte-level BPE; they must be null";
        }
        if (model.path("byte_fallback").asBoolean(false)) return "model.byte_fallback must be false";
        if (model.path("ignore_merges").asBoolean(false)) return "model.ignore_merges must be false (GPT-2 always merges)";
        if (!root.path("normalizer").isNull() && !root.path("normalizer").isMissingNode()) {
            return "normalizer must be null; GPT-2 does not normalize text";
        }
        JsonNode pre = root.path("pre_tokenizer");
        if (!pre.path("type").asText().equals("ByteLevel") || pre.path("add_prefix_space").asBoolean(true)
                || !pre.path("use_regex").asBoolean(true)) {
            return "pre_tokenizer must be {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": true} (GPT-2's)";
        }
        JsonNode decoder = root.path("decoder");
        if (!decoder.isNull() && !decoder.isMissingNode() && !decoder.path("type").asText().equals("ByteLevel")) {
            return "decoder must be ByteLevel";
        }
        for (JsonNode t : root.path("added_tokens")) {
            if (t.path("single_word").asBoolean(false)) {
                return "added token " + t.path("content") + " has single_word: true, which is not supported";
            }
        }
        return null;
    }

    static ByteLevelBpe readTokenizerJson(JsonNode root, String where) {
        JsonNode model = root.path("model");
        String problem = unsupported(root);
        // an added token's single_word is refused below, after the vocabulary, as it always was
        if (problem != null && !problem.startsWith("added token ")) throw new UserError(where + ": " + problem);

        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject()) throw new UserError(where + ": model.vocab must be an object of token → id");
        Map<String, Integer> vocab = readVocab(vocabNode, where + " model.vocab");

        JsonNode mergesNode = model.path("merges");
        if (!mergesNode.isArray()) throw new UserError(where + ": model.merges must be an array of merges");
        List<Merge> merges = new ArrayList<>(mergesNode.size());
        for (int i = 0; i < mergesNode.size(); i++) {
            JsonNode m = mergesNode.get(i);
            if (m.isTextual()) {
                merges.add(parseMerge(m.asText(), where, "model.merges[" + i + "]"));
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                merges.add(new Merge(m.get(0).asText(), m.get(1).asText()));
            } else {
                throw new UserError(where + " model.merges[" + i + "]: expected \"left right\" or [\"left\", \"right\"], found " + m);
            }
        }

        List<AddedToken> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            require(t.path("id").canConvertToInt() && t.path("id").isIntegralNumber() && t.path("content").isTextual()
                    && !t.path("content").asText().isEmpty(), where, "each of added_tokens needs an integer id and a content string, found " + t);
            require(!t.path("single_word").asBoolean(false), where,
                    "added token " + t.path("content") + " has single_word: true, which is not supported");
            added.add(new AddedToken(t.path("id").asInt(), t.path("content").asText(), t.path("special").asBoolean(false),
                    t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false)));
        }
        return new ByteLevelBpe(vocab, merges, added, where);
    }

    /**
     * Writes a {@code tokenizer.json} that Hugging Face {@code tokenizers} loads as GPT-2's byte-level BPE and that
     * {@link #readTokenizerJson} reads back to the same tokenizer. Written to a temporary file first, then moved,
     * so a crash never leaves half a file.
     */
    static void writeTokenizerJson(ByteLevelBpe bpe, Path path) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (AddedToken t : bpe.addedTokens()) {
            added.addObject().put("id", t.id()).put("content", t.content()).put("single_word", false)
                    .put("lstrip", t.lstrip()).put("rstrip", t.rstrip()).put("normalized", false).put("special", t.special());
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(true));
        root.set("post_processor", byteLevel(false));
        root.set("decoder", byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        bpe.vocab().entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> vocab.put(e.getKey(), e.getValue()));
        // "left right" strings are what every tokenizers version reads; [left, right] pairs only when a token holds
        // a space (impossible in a byte-level vocabulary, where space is 'Ġ', but a loaded file may be hand-made).
        boolean pairs = bpe.merges().stream().anyMatch(m -> m.left().contains(" ") || m.right().contains(" "));
        ArrayNode merges = model.putArray("merges");
        for (Merge m : bpe.merges()) {
            if (pairs) merges.addArray().add(m.left()).add(m.right());
            else merges.add(m.left() + " " + m.right());
        }

        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(indenter).withArrayIndenter(indenter);
        try {
            Path parent = path.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, path.getFileName().toString(), ".tmp");
            try {
                JSON.writer(printer).writeValue(tmp.toFile(), root);
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UserError(path + ": cannot write the tokenizer (" + e + "); check the directory exists and is writable", e);
        }
    }

    private static ObjectNode byteLevel(boolean trimOffsets) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", false);
        node.put("trim_offsets", trimOffsets);
        node.put("use_regex", true);
        return node;
    }

    private static Map<String, Integer> readVocab(JsonNode object, String where) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode id = e.getValue();
            if (!id.isIntegralNumber() || !id.canConvertToInt()) {
                throw new UserError(where + ": token '" + e.getKey() + "' has id " + id + "; ids must be whole numbers");
            }
            vocab.put(e.getKey(), id.asInt());
        }
        return vocab;
    }

    static JsonNode readJson(Path path) {
        requireFile(path);
        try {
            JsonNode node = JSON.readTree(path.toFile());
            if (node == null || node.isMissingNode()) throw new UserError(path + ": the file is empty, expected JSON");
            return node;
        } catch (JsonProcessingException e) {
            throw notJson(path, e);
        } catch (IOException e) {
            throw cannotRead(path, e);
        }
    }

    static UserError notJson(Path path, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return new UserError(path + ": not valid JSON (" + e.getOriginalMessage()
                + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                + "); the file is damaged or truncated, fetch or export it again", e);
    }

    static void requireFile(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new UserError(path + ": no such file" + (Files.isDirectory(path) ? " (it is a directory)" : "")
                    + "; check the path");
        }
    }

    static UserError cannotRead(Path path, IOException e) {
        return new UserError(path + ": cannot read (" + e + ")", e);
    }

    private static void require(boolean ok, String where, String problem) {
        if (!ok) throw new UserError(where + ": " + problem);
    }
}
