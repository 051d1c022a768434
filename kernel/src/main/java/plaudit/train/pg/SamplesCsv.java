package plaudit.train.pg;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** The samples table of a PPO run (step, prompt, response, score, gold): what reward hacking looks like, as it happens. */
public final class SamplesCsv {
    private SamplesCsv() {
    }

    public static Table table(List<Sample> samples) {
        IntColumn step = IntColumn.create("step");
        StringColumn prompt = StringColumn.create("prompt"), response = StringColumn.create("response");
        DoubleColumn score = DoubleColumn.create("score"), gold = DoubleColumn.create("gold");
        for (Sample x : samples) {
            step.append(x.step());
            prompt.append(x.prompt());
            response.append(x.response());
            score.append(x.score());
            gold.append(x.gold());
        }
        return Table.create("samples", step, prompt, response, score, gold);
    }

    /** Writes (replaces) a CSV file of rows, atomically: a run that stops mid-write leaves the previous file. */
    public static void write(List<Sample> samples, Path file) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            // univocity directly: Tablesaw's writer trims the responses' leading and trailing spaces
            CsvWriterSettings settings = new CsvWriterSettings();
            settings.setIgnoreLeadingWhitespaces(false);
            settings.setIgnoreTrailingWhitespaces(false);
            settings.setQuoteAllFields(true);
            try (var w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                CsvWriter csv = new CsvWriter(w, settings);
                csv.writeHeaders("step", "prompt", "response", "score", "gold");
                for (Sample x : samples) {
                    csv.writeRow(Integer.toString(x.step()), x.prompt(), x.response(), cell(x.score()), cell(x.gold()));
                }
                csv.close();
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write samples to " + file, e);
        }
    }

    /** The rows of a file written by {@link #write}; none when there is no file. */
    public static List<Sample> read(Path file) {
        List<Sample> rows = new ArrayList<>();
        if (!Files.exists(file)) return rows;
        // univocity directly: Tablesaw's reader trims the responses' leading and trailing spaces
        CsvParserSettings settings = new CsvParserSettings();
        settings.setHeaderExtractionEnabled(true);
        settings.setIgnoreLeadingWhitespaces(false);
        settings.setIgnoreTrailingWhitespaces(false);
        settings.setIgnoreLeadingWhitespacesInQuotes(false);
        settings.setIgnoreTrailingWhitespacesInQuotes(false);
        settings.setNullValue("");
        settings.setEmptyValue("");
        settings.setMaxCharsPerColumn(-1);
        for (String[] r : new CsvParser(settings).parseAll(file.toFile(), StandardCharsets.UTF_8)) {
            rows.add(new Sample(Integer.parseInt(r[0]), r[1], r[2], number(r[3]), number(r[4])));
        }
        return rows;
    }

    private static String cell(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static double number(String cell) {
        return cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
    }
}
