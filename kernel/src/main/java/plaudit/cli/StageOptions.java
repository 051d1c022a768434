package plaudit.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * What every stage after {@code plaudit pairs} reads and writes (a picocli mixin of {@code sft}, {@code train-rm},
 * {@code dpo}, {@code ppo} and {@code rloo}): the pairs folder and the output folder.
 */
public final class StageOptions {
    @Option(names = "--pairs", required = true, description = "Output directory of `plaudit pairs`: training on its "
            + "training comparisons (or their prompts), validation on its validation (else test) ones.")
    Path pairs;
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    /** The comparisons of the pairs folder, by split. */
    PairsInput read() {
        return PairsInput.read(pairs);
    }

    /** {@code name} in the output folder. */
    Path out(String name) {
        return out.resolve(name);
    }
}
