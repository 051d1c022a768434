package plaudit.text;

import java.nio.file.Path;

/**
 * Opens any Hugging Face {@code tokenizer.json}: with Plaudit's own {@link ByteLevelBpe} when the file is GPT-2-style
 * byte-level BPE (GPT-2's, and every tokenizer Plaudit trains), which it reproduces exactly and fast; with Hugging
 * Face's library ({@link HfTokenizer}) for the others (Llama 3 and Qwen's ignore_merges and normalizers, Llama 2's
 * byte fallback, Unigram...). Close what it returns when it is {@link AutoCloseable}.
 */
public final class TokenizerJson {
    private TokenizerJson() {
    }

    public static Tokenizer open(Path tokenizerJson) {
        HfTokenizerFile file = HfTokenizerFile.read(tokenizerJson);
        // the full tree only for the files ByteLevelBpe reads: Llama 3's would take seconds to build for nothing
        if (BpeFiles.unsupported(file.header()) == null) return BpeFiles.readTokenizerJson(tokenizerJson);
        return HfTokenizer.load(file);
    }
}
