package plaudit.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * Any Hugging Face {@code tokenizer.json} (byte-level BPE as in Llama 3 and Qwen, SentencePiece-style BPE with byte
 * fallback as in Llama 2, Unigram, WordPiece; with their normalizers, pre-tokenizers and added tokens), encoded by
 * Hugging Face's own Rust library through DJL, so the ids are exactly Hugging Face's. Never adds BOS/EOS.
 *
 * <p>Special tokens: Hugging Face always turns text such as {@code <|eot_id|>} into its special token, and the
 * library DJL bundles offers no switch to turn that off. Plaudit's meaning of {@link #encode(String)} (special tokens
 * are ordinary text, as for {@link ByteLevelBpe}) is had from a second tokenizer loaded from the same JSON with the
 * special added tokens taken out: their text then goes through the normalizer and the model like any other, as
 * Hugging Face's {@code split_special_tokens=True} does. Non-special added tokens match in both.
 *
 * <p>Holds native memory: close it. Loads only the file it is given, never the network.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {
    /** Plain encoding: no BOS/EOS, no truncation at 512 (DJL's default), no padding. */
    private static final Map<String, String> RAW = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final byte[] json;
    private final String jsonWithoutSpecial;
    private final int vocabSize;
    private final int eosId;
    private final List<String> specialTokens;
    private HuggingFaceTokenizer all;
    private HuggingFaceTokenizer specialAsText;
    private boolean closed;

    private HfTokenizer(Path file, JsonNode root) {
        source = file.toString();
        try {
            json = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e + ")", e);
        }
        int maxId = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isArray()) maxId = vocab.size() - 1; // Unigram: [piece, score] by id
        for (Iterator<JsonNode> ids = vocab.elements(); vocab.isObject() && ids.hasNext(); ) maxId = Math.max(maxId, ids.next().asInt());
        List<String> special = new ArrayList<>();
        int eos = -1;
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode t : root.path("added_tokens")) {
            maxId = Math.max(maxId, t.path("id").asInt());
            if (t.path("special").asBoolean(false)) special.add(t.path("content").asText());
            else kept.add(t);
            if (t.path("content").asText().equals(ByteLevelBpe.END_OF_TEXT)) eos = t.path("id").asInt();
        }
        vocabSize = maxId + 1;
        eosId = eos;
        specialTokens = List.copyOf(special);
        ObjectNode withoutSpecial = root.deepCopy();
        withoutSpecial.set("added_tokens", kept);
        jsonWithoutSpecial = withoutSpecial.toString();
        all = load(json); // loads once now, so that a file the library refuses is refused when opened
    }

    /** Loads a Hugging Face {@code tokenizer.json} with Hugging Face's library, whatever its model. */
    public static HfTokenizer load(Path tokenizerJson) {
        return new HfTokenizer(tokenizerJson, BpeFiles.readTokenizerJsonTree(tokenizerJson));
    }

    static HfTokenizer load(Path tokenizerJson, JsonNode root) {
        return new HfTokenizer(tokenizerJson, root);
    }

    private HuggingFaceTokenizer load(byte[] tokenizerJson) {
        try {
            // from the bytes, never by name: a name would be looked up on the Hugging Face hub
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), RAW);
        } catch (IOException | RuntimeException e) {
            String why = String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip();
            throw new UserError(source + ": Hugging Face tokenizers cannot load it (" + why + "); the file is damaged "
                    + "or not a tokenizer.json, fetch or export it again", e);
        }
    }

    private synchronized HuggingFaceTokenizer tokenizer(boolean allowSpecial) {
        if (closed) throw new IllegalStateException(source + ": tokenizer used after close()");
        if (allowSpecial) return all;
        if (specialAsText == null) specialAsText = load(jsonWithoutSpecial.getBytes(StandardCharsets.UTF_8));
        return specialAsText;
    }

    @Override
    public int[] encode(String text) {
        return encode(text, false);
    }

    @Override
    public int[] encode(String text, boolean allowSpecial) {
        long[] ids = tokenizer(allowSpecial).encode(text, false, false).getIds();
        return LongStream.of(ids).mapToInt(Math::toIntExact).toArray();
    }

    /** Hugging Face's decoder; special tokens are kept, so decode(encode(text, true)) gives the text back. */
    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (!isValidId(ids[i])) {
                throw new IllegalArgumentException("token id " + ids[i] + " is not in the vocabulary (size " + vocabSize + ")");
            }
            longs[i] = ids[i];
        }
        return tokenizer(true).decode(longs, false);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public List<String> specialTokens() {
        return specialTokens;
    }

    /** Writes the tokenizer.json it was loaded from, unchanged. */
    @Override
    public void save(Path tokenizerJson) {
        try {
            Path parent = tokenizerJson.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, tokenizerJson.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, json);
                Files.move(tmp, tokenizerJson, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UserError(tokenizerJson + ": cannot write the tokenizer (" + e + "); check the directory exists and is writable", e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        all.close();
        if (specialAsText != null) specialAsText.close();
    }
}
