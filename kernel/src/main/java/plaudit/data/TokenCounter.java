package plaudit.data;

import plaudit.text.Tokenizer;

/** Measures text length for the optional token limits. */
@FunctionalInterface
public interface TokenCounter {
    int count(String text);

    /** Whitespace-separated words: free, tokenizer-independent, roughly 0.75 of a GPT-2 BPE count for English. */
    static TokenCounter whitespace() {
        return text -> {
            int n = 0;
            boolean inWord = false;
            for (int i = 0; i < text.length(); i++) {
                boolean ws = Character.isWhitespace(text.charAt(i));
                if (!ws && !inWord) n++;
                inWord = !ws;
            }
            return n;
        };
    }

    /** Exact counts in the model's own tokens. */
    static TokenCounter of(Tokenizer tokenizer) {
        return text -> tokenizer.encode(text).length;
    }
}
