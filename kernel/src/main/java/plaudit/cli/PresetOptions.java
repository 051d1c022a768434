package plaudit.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import ai.djl.Device;
import plaudit.experiment.Study;
import tech.tablesaw.api.Table;

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

    /** An experiment the preset runs: its result table, from the scale, device and seed. */
    interface Experiment {
        Table run(Study.Scale scale, Device device, long seed) throws Exception;
    }

    /**
     * Runs the experiment on these options, prints its table, then "NAME finished in M min; WROTE" (what it wrote and
     * where); exit status 0.
     */
    int run(String name, Experiment experiment, String wrote) throws Exception {
        long t0 = System.nanoTime();
        Table table = experiment.run(scale(), run.device(), run.seed());
        System.out.println(table.print());
        System.out.printf("%s finished in %.1f min; %s%n", name, (System.nanoTime() - t0) / 6e10, wrote);
        return 0;
    }
}
