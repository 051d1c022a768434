package plaudit.cli;

import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.text.ByteLevelBpe;
import plaudit.text.Tokenizer;
import plaudit.text.TokenizerJson;

import java.nio.file.Path;

/**
 * Which tokenizer to load (a picocli mixin): GPT-2's two files ({@code --vocab} with {@code --merges}) or any Hugging
 * Face {@code --tokenizer tokenizer.json} (see {@link TokenizerJson} for which implementation reads it).
 */
public final class TextTokenizerOptions {
    @Option(names = "--vocab", paramLabel = "FILE", description = "GPT-2 encoder.json (token → id); needs --merges")
    Path vocab;

    @Option(names = "--merges", paramLabel = "FILE", description = "GPT-2 vocab.bpe (one merge per line); needs --vocab")
    Path merges;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "Hugging Face tokenizer.json (GPT-2, Llama, Qwen, ...)")
    Path tokenizerJson;

    /**
     * The tokenizer the options name; exactly one of the two forms must be given, GPT-2's with both files. Close it
     * when it is {@link AutoCloseable} (Hugging Face's library holds native memory).
     */
    Tokenizer open() {
        boolean gpt2 = vocab != null || merges != null;
        if (gpt2 == (tokenizerJson != null)) {
            throw new UserError("give either --tokenizer tokenizer.json, or --vocab encoder.json with --merges vocab.bpe"
                    + (gpt2 ? ", not both" : ""));
        }
        if (!gpt2) return TokenizerJson.open(tokenizerJson);
        if (vocab == null || merges == null) {
            throw new UserError((vocab == null ? "--vocab encoder.json" : "--merges vocab.bpe") + " is missing: GPT-2's "
                    + "tokenizer needs both files (scripts/gpt2-files.sh fetches them)");
        }
        return ByteLevelBpe.fromGpt2Files(vocab, merges);
    }

    /** The file that names the tokenizer in messages: tokenizer.json, or GPT-2's encoder.json. */
    String source() {
        return tokenizerJson != null ? tokenizerJson.toString() : vocab.toString();
    }
}
