package plaudit.cli;

import plaudit.experiment.Study;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code plaudit study}: the whole pipeline on the synthetic forum, measured against gold. */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Runs the evidence experiment on the synthetic forum: upvote pairs → SFT → reward model → PPO "
                + "(adaptive KL and β = 0) and best-of-n, each measured against the hidden gold preference.",
                "Writes OUT/summary.csv (metric,value), each stage's metrics.csv and SVG plots in OUT/plots/.",
                "Scales: tiny (a smoke run, minutes on CI), small (the bundled-sample size), full (~30 minutes)."})
public final class StudyCommand implements Callable<Integer> {
    @Mixin
    PresetOptions preset = new PresetOptions("small");
    @Option(names = "--forum", paramLabel = "DIR", description = "A forum folder written by `plaudit forum`, such as "
            + "the bundled samples/forum (default: generate a forum of the scale's size with --seed).")
    Path forum;

    @Override
    public Integer call() throws Exception {
        return preset.run("study", (scale, device, seed) -> new Study(preset.out, Study.Settings.of(scale), forum, device, seed)
                .run(), "summary: " + preset.out.resolve("summary.csv") + ", plots: " + preset.out.resolve("plots"));
    }
}
