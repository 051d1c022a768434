package plaudit.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.experiment.Study;

import java.nio.file.Path;

/**
 * What {@code plaudit study} and {@code plaudit methods} share (a picocli mixin): where they run, the seed, the output
 * folder and the preset scale, whose default each command gives.
 */
public final class PresetOptions {
    @Mixin
    RunOptions run;
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;
    @Option(names = "--scale", description = "tiny, small or full (default: ${DEFAULT-VALUE}).")
    String scale;

    /** Needed by picocli when it makes the mixin itself. */
    public PresetOptions() {
        this("small");
    }

    PresetOptions(String defaultScale) {
        this.scale = defaultScale;
    }

    Study.Scale scale() {
        return Study.Scale.parse(scale);
    }
}
