package plaudit.text;

import java.nio.file.Path;
import java.util.List;

/**
 * Text ↔ token ids. Implementations are immutable and thread-safe.
 */
public interface Tokenizer {
    /** Encodes text; special tokens such as {@code <|endoftext|>} are treated as ordinary text. */
    int[] encode(String text);

    /** Encodes text, turning the listed special tokens (e.g. {@code <|endoftext|>}) into their ids. */
    int[] encode(String text, boolean allowSpecial);

    String decode(int[] ids);

    int vocabSize();

    /** Whether some token has this id. */
    default boolean isValidId(int id) {
        return id >= 0 && id < vocabSize();
    }

    /** Id of {@code <|endoftext|>} (end of document / end of reply), or -1 when the vocabulary has none. */
    int eosId();

    List<String> specialTokens();

    /** Writes this tokenizer as a Hugging Face {@code tokenizer.json} (byte-level BPE). */
    void save(Path tokenizerJson);
}
