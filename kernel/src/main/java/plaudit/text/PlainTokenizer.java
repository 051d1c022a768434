package plaudit.text;

import java.nio.file.Path;
import java.util.List;

/**
 * A tokenizer with no special tokens and no {@code tokenizer.json} form: the id vocabularies of tests and benchmarks,
 * which only need to turn text into ids and back. All text is ordinary text, so {@code allowSpecial} changes nothing.
 */
public interface PlainTokenizer extends Tokenizer {
    @Override
    default int[] encode(String text, boolean allowSpecial) {
        return encode(text);
    }

    @Override
    default List<String> specialTokens() {
        return List.of();
    }

    @Override
    default void save(Path tokenizerJson) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no tokenizer.json form");
    }
}
