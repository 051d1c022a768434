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
    /** The LoRA settings of the run in {@code OUT}, which its checkpoints (the trainer's settings) do not hold. */
    static final String LORA_SETTINGS = "lora.json";
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
     * A new run with LoRA records {@code lora} in {@code OUT/lora.json}; a resumed one must have the settings recorded
     * there (no such file: LoRA was off): with other adapters the checkpoint's trained tensors would not fit, or would
     * mean something else. Call before loading models.
     */
    static void recordLora(PolicyRunOptions io, LoraSettings lora) {
        Path file = io.stage.out(LORA_SETTINGS);
        try {
            if (!io.resume) {
                // LoRA off is what no file records, so a run without LoRA writes what it wrote before LoRA existed
                Files.deleteIfExists(file);
                if (lora.enabled()) {
                    Files.createDirectories(io.stage.out);
                    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter()
                            .writeValueAsString(LoraSettings.SETTINGS.texts(lora)));
                }
                return;
            }
            if (!Files.isDirectory(ResumableTraining.checkpoint(io.stage.out))) return; // checkResumable says so
            if (!lora.enabled() && !Files.isRegularFile(file)) return; // off then, off now
            Map<String, String> recorded = Files.isRegularFile(file)
                    ? JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() { })
                    : LoraSettings.SETTINGS.texts(LoraSettings.defaults());
            List<String> changed = LoraSettings.SETTINGS.changedOnResume(recorded, lora);
            if (!changed.isEmpty()) {
                throw new UserError(io.stage.out + " was trained with other LoRA settings: " + String.join("; ", changed)
                        + "; resume with the same settings or start a new --out");
            }
        } catch (IOException e) {
            throw new UserError(file + ": cannot read or write the run's LoRA settings (" + e.getMessage()
                    + "); start a new --out");
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
