package plaudit.train.steer;

import plaudit.UserError;
import plaudit.data.Comparison;
import plaudit.data.ComparisonsJsonl;
import plaudit.data.Split;
import plaudit.train.Permutation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The prompts steering learns on and the unseen ones it is measured on, with whether they come from the synthetic
 * forum (whose gold preference can then score the samples).
 */
public record SteerPrompts(List<String> train, List<String> heldOut, boolean synthetic) {

    /**
     * From the output of {@code plaudit pairs}: training prompts from train.jsonl, held-out ones from test.jsonl (else
     * val.jsonl), at most {@code max} distinct each. Synthetic when a {@code forum/} folder is beside the pairs.
     */
    public static SteerPrompts ofPairs(Path dir, int max) {
        Path trainFile = ComparisonsJsonl.SplitWriter.file(dir, Split.TRAIN);
        if (!Files.isRegularFile(trainFile)) {
            throw new UserError("no " + trainFile + "; give the output directory of `plaudit pairs`");
        }
        List<String> train = Comparison.prompts(ComparisonsJsonl.read(trainFile), max);
        List<String> held = List.of();
        for (Split s : new Split[] {Split.TEST, Split.VAL}) {
            Path f = ComparisonsJsonl.SplitWriter.file(dir, s);
            if (held.isEmpty() && Files.isRegularFile(f)) held = Comparison.prompts(ComparisonsJsonl.read(f), max);
        }
        if (held.isEmpty()) throw new UserError(dir + ": has no test or val comparisons to hold prompts out from");
        Path parent = dir.toAbsolutePath().getParent();
        return new SteerPrompts(train, held, parent != null && Files.isDirectory(parent.resolve("forum")));
    }

    /** The pairs/ folder of the run (study, run) that wrote {@code checkpoint}: in one of its ancestors. */
    public static SteerPrompts ofRun(Path checkpoint, int max) {
        for (Path p = checkpoint.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("pairs"))) return ofPairs(p.resolve("pairs"), max);
        }
        throw new UserError("no prompts: " + checkpoint + " is not inside a run folder with pairs/; give the output "
                + "of `plaudit pairs` or a file with one prompt per line");
    }

    /** One prompt per line ({@code \n} for a line break); a seeded quarter (at least one) is held out. */
    public static SteerPrompts ofTextFile(Path file, int max, long seed) {
        if (!Files.isRegularFile(file)) throw new UserError(file + ": no such prompts file");
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LinkedHashSet<String> distinct = new LinkedHashSet<>();
        for (String line : lines) if (!line.isBlank()) distinct.add(line.replace("\\n", "\n"));
        return split(new ArrayList<>(distinct), max, seed, file.toString());
    }

    /** A seeded quarter (at least one) of {@code prompts} held out, the rest for training; at most {@code max} each. */
    public static SteerPrompts split(List<String> prompts, int max, long seed, String where) {
        if (prompts.size() < 2) {
            throw new UserError(where + ": has " + prompts.size() + " distinct prompt(s); steering needs at least 2 "
                    + "(training and held-out)");
        }
        int[] order = Permutation.of(prompts.size(), new SplittableRandom(seed));
        int held = Math.max(1, prompts.size() / 4);
        List<String> train = new ArrayList<>(), heldOut = new ArrayList<>();
        for (int i = 0; i < order.length; i++) (i < held ? heldOut : train).add(prompts.get(order[i]));
        return new SteerPrompts(train.subList(0, Math.min(train.size(), max)),
                heldOut.subList(0, Math.min(heldOut.size(), max)), false);
    }
}
