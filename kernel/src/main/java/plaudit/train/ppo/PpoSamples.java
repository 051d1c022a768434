package plaudit.train.ppo;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvWriteOptions;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** The samples table of a PPO run (step, prompt, response, score, gold): what reward hacking looks like, as it happens. */
public final class PpoSamples {
    private PpoSamples() {
    }

    public static Table table(List<PpoTrainer.Sample> samples) {
        IntColumn step = IntColumn.create("step");
        StringColumn prompt = StringColumn.create("prompt"), response = StringColumn.create("response");
        DoubleColumn score = DoubleColumn.create("score"), gold = DoubleColumn.create("gold");
        for (PpoTrainer.Sample x : samples) {
            step.append(x.step());
            prompt.append(x.prompt());
            response.append(x.response());
            score.append(x.score());
            gold.append(x.gold());
        }
        return Table.create("samples", step, prompt, response, score, gold);
    }

    /** Appends rows to a CSV file (with a header when the file is new), so a long run shows its samples as it goes. */
    public static void append(List<PpoTrainer.Sample> samples, Path file) {
        if (samples.isEmpty()) return;
        try {
            boolean fresh = !Files.exists(file);
            StringWriter w = new StringWriter();
            table(samples).write().csv(CsvWriteOptions.builder(w).header(fresh).build());
            Files.writeString(file, w.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append samples to " + file, e);
        }
    }
}
