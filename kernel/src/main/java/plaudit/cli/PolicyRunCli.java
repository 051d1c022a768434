package plaudit.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import plaudit.UserError;
import plaudit.model.LoraSettings;
import plaudit.report.MetricsLog;
import plaudit.report.Plot;
import plaudit.report.Tables;
import plaudit.train.pg.PolicyGradientTrainer;
import plaudit.train.pg.ResumableTraining;
import plaudit.train.pg.Sample;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code plaudit ppo} and {@code plaudit rloo} do alike around their trainer: refuse {@code --resume} without a
 * checkpoint (before any model is loaded), resume and say where, train with checkpoints, then write the plot and print
 * the summary and where everything went.
 */
final class PolicyRunCli {
    private static final String GOLD = "objective/gold";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PolicyRunCli() {}

    /** Fails naming the missing checkpoint when {@code --resume} has nothing to resume; call before loading models. */
    static void checkResumable(PolicyRunOptions io) {
        Path ckptDir = ResumableTraining.checkpoint(io.stage.out);
        if (io.resume && !Files.isDirectory(ckptDir)) {
            throw new UserError("--resume: no checkpoint at " + ckptDir + "; run without --resume to start");
        }
    }

    /**
     * Runs {@code trainer} to {@code steps} in {@code --out} (resuming from its checkpoint when asked), writes
     * {@code OUT/NAME.svg} titled {@code title}, prints the metrics summary and the paths.
     */
    static void train(String name, String title, PolicyGradientTrainer trainer, PolicyRunOptions io, int steps) {
        Path out = io.stage.out;
        List<Sample> kept = new ArrayList<>();
        if (io.resume) {
            System.err.println(name + ": resumed at step " + ResumableTraining.resume(trainer, out, kept) + " of " + steps);
        }
        Table t = ResumableTraining.run(name, trainer, out, steps, io.checkpointEvery, kept, null);
        plot(t, title).write(out.resolve(name + ".svg"));
        System.out.println(Tables.readable(MetricsLog.summary(t)).print());
        System.out.println("metrics: " + out.resolve("metrics.csv") + "\ncheckpoint: " + ResumableTraining.checkpoint(out));
    }

    /** Reward and KL against the step, and gold when the run had a gold scorer (without one its column is empty). */
    static Plot plot(Table metrics, String title) {
        boolean gold = metrics.columnNames().contains(GOLD) && !metrics.doubleColumn(GOLD).removeMissing().isEmpty();
        String[] ys = gold ? new String[] {"objective/scores", "objective/kl", GOLD}
                : new String[] {"objective/scores", "objective/kl"};
        return Plot.lines(metrics, "step", ys).toBuilder().title(title).build();
    }
}
