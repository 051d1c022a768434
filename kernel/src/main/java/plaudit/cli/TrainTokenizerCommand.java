package plaudit.cli;

import plaudit.report.Progress;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.text.BpeTrainer;
import plaudit.text.ByteLevelBpe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code plaudit train-tokenizer}: learns a GPT-2 style byte-level BPE from a text corpus, writes tokenizer.json. */
@Command(name = "train-tokenizer", mixinStandardHelpOptions = true,
        description = "Trains a byte-level BPE tokenizer (GPT-2's pre-tokenizer and byte map) on UTF-8 text and "
                + "writes it as a Hugging Face tokenizer.json, usable with `plaudit tokenize --tokenizer`.")
public final class TrainTokenizerCommand implements Callable<Integer> {
    @Option(names = "--corpus", required = true, paramLabel = "FILE",
            description = "UTF-8 text file to learn from (repeat for several files)")
    List<Path> corpus;

    @Option(names = "--vocab-size", required = true, paramLabel = "N",
            description = "number of token ids, special tokens included (GPT-2 has 50257)")
    int vocabSize;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write tokenizer.json")
    Path out;

    @Option(names = "--special", paramLabel = "TOKEN", defaultValue = ByteLevelBpe.END_OF_TEXT,
            description = "special token (repeatable; default: ${DEFAULT-VALUE})")
    List<String> specialTokens;

    @Option(names = "--min-frequency", paramLabel = "N", defaultValue = "2",
            description = "stop when the most frequent pair occurs fewer times than this (default: ${DEFAULT-VALUE})")
    int minFrequency;

    @Override
    public Integer call() throws IOException {
        BpeTrainer trainer = new BpeTrainer(new BpeTrainer.Config(vocabSize, specialTokens, minFrequency));
        long start = System.nanoTime();
        for (Path file : corpus) {
            if (!Files.isRegularFile(file)) throw new UserError(file + ": no such file; check the --corpus path");
            try (Progress progress = new Progress("reading " + file.getFileName(), Files.size(file))) {
                trainer.addFile(file, bytes -> progress.advance(bytes - progress.done()));
            }
        }
        ByteLevelBpe tokenizer;
        try (Progress progress = new Progress("merges", trainer.tokensToLearn())) {
            tokenizer = trainer.train(frequency -> progress.set("pair count", Long.toString(frequency)).step());
        }
        tokenizer.save(out);
        System.out.printf("wrote %s: %d tokens (%d special) in %.1f s%n", out, tokenizer.vocabSize(),
                tokenizer.specialTokens().size(), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
