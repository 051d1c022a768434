package plaudit.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import plaudit.UserError;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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

    private final HfTokenizerFile file;
    private final int eosId;
    private final List<String> specialTokens;
    /** Loaded when first needed (a load parses the whole vocabulary): all added tokens / no special ones. */
    private HuggingFaceTokenizer all;
    private HuggingFaceTokenizer specialAsText;
    private boolean closed;

    private HfTokenizer(HfTokenizerFile file) {
        this.file = file;
        List<String> special = new ArrayList<>();
        int eos = -1;
        for (JsonNode t : file.header().path("added_tokens")) {
            if (t.path("special").asBoolean(false)) special.add(t.path("content").asText());
            if (t.path("content").asText().equals(ByteLevelBpe.END_OF_TEXT)) eos = t.path("id").asInt();
        }
        eosId = eos;
        specialTokens = List.copyOf(special);
    }

    /**
     * A Hugging Face {@code tokenizer.json} for Hugging Face's library, whatever its model. A file that is not JSON or
     * has no model is refused here; one the library refuses, at its first use; both as a {@link UserError} naming it.
     */
    public static HfTokenizer load(Path tokenizerJson) {
        return new HfTokenizer(HfTokenizerFile.read(tokenizerJson));
    }

    static HfTokenizer load(HfTokenizerFile file) {
        return new HfTokenizer(file);
    }

    private HuggingFaceTokenizer loadNative(byte[] tokenizerJson) {
        try {
            // from the bytes, never by name: a name would be looked up on the Hugging Face hub
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), RAW);
        } catch (IOException | RuntimeException e) {
            String why = String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip();
            throw new UserError(file.path() + ": Hugging Face tokenizers cannot load it (" + why + "); the file is damaged "
                    + "or not a tokenizer.json, fetch or export it again", e);
        }
    }

    private synchronized HuggingFaceTokenizer tokenizer(boolean allowSpecial) {
        if (closed) throw new IllegalStateException(file.path() + ": tokenizer used after close()");
        if (allowSpecial) {
            if (all == null) all = loadNative(file.bytes());
            return all;
        }
        if (specialAsText == null) specialAsText = loadNative(file.withoutSpecialTokens());
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
                throw new IllegalArgumentException("token id " + ids[i] + " is not in the vocabulary (size " + vocabSize() + ")");
            }
            longs[i] = ids[i];
        }
        return tokenizer(true).decode(longs, false);
    }

    @Override
    public int vocabSize() {
        return file.vocabSize();
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
                Files.write(tmp, file.bytes());
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
        if (all != null) all.close();
        if (specialAsText != null) specialAsText.close();
    }
}
