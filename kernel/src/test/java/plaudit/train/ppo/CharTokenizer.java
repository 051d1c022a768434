package plaudit.train.ppo;

import plaudit.text.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A test tokenizer: one id per character of a small alphabet; the last id is end-of-text. */
public final class CharTokenizer implements Tokenizer {
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz .";
    private static final int EOS = ALPHABET.length();

    @Override
    public int[] encode(String text) {
        return text.chars().map(c -> {
            int i = ALPHABET.indexOf(c);
            if (i < 0) throw new IllegalArgumentException("not in the test alphabet: " + (char) c);
            return i;
        }).toArray();
    }

    @Override
    public int[] encode(String text, boolean allowSpecial) {
        return encode(text);
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(id == EOS ? "<|endoftext|>" : String.valueOf(ALPHABET.charAt(id)));
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return EOS + 1;
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public List<String> specialTokens() {
        return List.of("<|endoftext|>");
    }

    @Override
    public void save(Path tokenizerJson) {
        try {
            Files.writeString(tokenizerJson, "{\"test-alphabet\": \"" + ALPHABET + "\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
