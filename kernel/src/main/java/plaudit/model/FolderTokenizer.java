package plaudit.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;
import plaudit.text.Tokenizer;
import plaudit.text.TokenizerJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer of a Hugging Face model folder (Llama, Qwen…) with what describes it beside {@code tokenizer.json}:
 * {@code tokenizer_config.json} (chat template, special tokens), {@code special_tokens_map.json},
 * {@code generation_config.json} and {@code config.json}'s token ids. A checkpoint written with it
 * ({@link Checkpoint.Writer#tokenizer}) carries them unchanged, so every stage of a chain (sft → train-rm → ppo) reads
 * the tokenizer the first folder came with. The files are read when it is opened: the source folder may go away.
 *
 * <p>End of sequence: {@link #eosId()} is the folder's first end-of-sequence id ({@link EndOfSequence#ids}), the token
 * appended to demonstrations and where sampling stops; {@link #eosIds()} all of them (Llama 3 and Qwen have lists).
 */
public final class FolderTokenizer implements Tokenizer, AutoCloseable {
    /** The files that travel, where the folder has them. */
    static final List<String> FILES = List.of(Checkpoint.TOKENIZER, "tokenizer_config.json", "special_tokens_map.json",
            EndOfSequence.GENERATION_CONFIG);
    private static final List<String> TOKEN_ID_KEYS = List.of("bos_token_id", "eos_token_id", "pad_token_id");

    private final Tokenizer tokenizer;
    private final Map<String, byte[]> files;
    private final ObjectNode tokenIds;
    private final int[] eosIds;

    private FolderTokenizer(Tokenizer tokenizer, Map<String, byte[]> files, ObjectNode tokenIds, int[] eosIds) {
        this.tokenizer = tokenizer;
        this.files = files;
        this.tokenIds = tokenIds;
        this.eosIds = eosIds;
    }

    /** The tokenizer of {@code dir} ({@code tokenizer.json}, opened by {@link TokenizerJson}) and its files. */
    public static FolderTokenizer open(Path dir) {
        Path json = dir.resolve(Checkpoint.TOKENIZER);
        if (!Files.isRegularFile(json)) {
            throw new UserError(dir + ": has no " + Checkpoint.TOKENIZER + "; copy the model's tokenizer.json (and "
                    + "tokenizer_config.json) from where it came into the folder");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : FILES) {
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) continue;
            try {
                files.put(name, Files.readAllBytes(file));
            } catch (IOException e) {
                throw new UserError(file + ": cannot read (" + e + ")", e);
            }
        }
        ObjectNode ids = JsonNodeFactory.instance.objectNode();
        JsonNode config = ModelFolder.readJson(dir.resolve(Checkpoint.CONFIG));
        for (String key : TOKEN_ID_KEYS) if (config.has(key) && !config.get(key).isNull()) ids.set(key, config.get(key));
        Tokenizer tok = TokenizerJson.open(json);
        try {
            int[] eos = EndOfSequence.ids(dir, tok.vocabSize());
            if (eos.length == 0 && tok.eosId() >= 0) eos = new int[] {tok.eosId()};
            return new FolderTokenizer(tok, files, ids, eos);
        } catch (RuntimeException e) {
            if (tok instanceof AutoCloseable c) closeTokenizer(c);
            throw e;
        }
    }

    /**
     * The folder's end-of-sequence ids (generation_config.json's, else config.json's), else the tokenizer's
     * end-of-text id; empty when there is none.
     */
    public int[] eosIds() {
        return eosIds.clone();
    }

    /**
     * Where a response ends for {@code tok}: every end-of-sequence id of a folder's tokenizer, the end-of-text id of
     * any other, nothing when it has none.
     */
    public static int[] stopIds(Tokenizer tok) {
        if (tok instanceof FolderTokenizer f) return f.eosIds();
        return tok.eosId() >= 0 ? new int[] {tok.eosId()} : new int[0];
    }

    /** config.json's {@code bos_token_id}, {@code eos_token_id} and {@code pad_token_id}, where the folder had them. */
    ObjectNode tokenIds() {
        return tokenIds.deepCopy();
    }

    /** The travelling files, by name, as read. */
    Map<String, byte[]> files() {
        return files;
    }

    @Override
    public int[] encode(String text) {
        return tokenizer.encode(text);
    }

    @Override
    public int[] encode(String text, boolean allowSpecial) {
        return tokenizer.encode(text, allowSpecial);
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(ids);
    }

    @Override
    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    /** The first of {@link #eosIds()}; -1 when there is none (then nothing marks a reply's end). */
    @Override
    public int eosId() {
        return eosIds.length > 0 ? eosIds[0] : -1;
    }

    @Override
    public List<String> specialTokens() {
        return tokenizer.specialTokens();
    }

    /** Writes the folder's {@code tokenizer.json} unchanged. */
    @Override
    public void save(Path tokenizerJson) {
        try {
            Files.write(tokenizerJson, files.get(Checkpoint.TOKENIZER));
        } catch (IOException e) {
            throw new UserError(tokenizerJson + ": cannot write the tokenizer (" + e + "); check the directory is writable", e);
        }
    }

    @Override
    public void close() {
        if (tokenizer instanceof AutoCloseable c) closeTokenizer(c);
    }

    private static void closeTokenizer(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the tokenizer failed", e);
        }
    }
}
