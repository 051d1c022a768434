package plaudit.cli;

import plaudit.UserError;
import plaudit.data.Comparison;
import plaudit.data.ComparisonsJsonl;
import plaudit.data.Split;
import plaudit.experiment.Splits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The comparisons written by {@code plaudit pairs}: DIR/train.jsonl, DIR/val.jsonl, DIR/test.jsonl. */
record PairsInput(List<Comparison> train, List<Comparison> val, List<Comparison> test) {

    static PairsInput read(Path dir) {
        Path trainFile = ComparisonsJsonl.SplitWriter.file(dir, Split.TRAIN);
        if (!Files.isRegularFile(trainFile)) {
            throw new UserError("no " + trainFile + "; --pairs takes the output directory of `plaudit pairs`");
        }
        return new PairsInput(ComparisonsJsonl.read(trainFile), readIfPresent(dir, Split.VAL), readIfPresent(dir, Split.TEST));
    }

    private static List<Comparison> readIfPresent(Path dir, Split s) {
        Path f = ComparisonsJsonl.SplitWriter.file(dir, s);
        return Files.isRegularFile(f) ? ComparisonsJsonl.read(f) : List.of();
    }

    /** The comparisons as the experiment's stages split them (validation and held-out sets alike). */
    Splits splits() {
        return Splits.of(train, val, test);
    }
}
