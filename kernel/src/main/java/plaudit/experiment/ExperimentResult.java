package plaudit.experiment;

import plaudit.report.MetricsLog;
import plaudit.report.Plot;
import plaudit.report.RunPlots;
import plaudit.train.pg.SamplesCsv;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What an {@link Experiment} produced. Every table and plot is also written under {@link #out()}.
 *
 * @param summary     one row per headline number (metric, value)
 * @param data        statistics of the comparison building (read, skipped by reason, kept per split)
 * @param metrics     each stage's training log by stage name ({@code pretrain}, {@code sft}, {@code rm}, {@code ppo})
 * @param samples     PPO's sampled responses by run name: step, prompt, response, score (the reward) and gold
 * @param bestOfN     best-of-n from SFT: n, KL (nats), gold and reward of the chosen samples; null when not run
 * @param plots       the plots by name
 * @param checkpoints saved models by name ({@code sft}, {@code rm})
 * @param out         the folder holding all of it
 */
public record ExperimentResult(Table summary, Table data, Map<String, Table> metrics, Map<String, Table> samples,
                               Table bestOfN, Map<String, Plot> plots, Map<String, Path> checkpoints, Path out) {
    public ExperimentResult {
        metrics = ordered(metrics);
        samples = ordered(samples);
        plots = ordered(plots);
        checkpoints = ordered(checkpoints);
    }

    private static <V> Map<String, V> ordered(Map<String, V> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /**
     * The result of a run read back from its folder (as {@link ExperimentRunner#run} wrote it): what a remote run
     * returns once the worker's files are downloaded. Plots are drawn again from the tables; checkpoints are listed
     * if their folders are there.
     */
    public static ExperimentResult read(Path out) {
        Table summary = Table.read().csv(CsvReadOptions.builder(out.resolve("summary.csv").toFile())
                .columnTypes(new ColumnType[] {ColumnType.STRING, ColumnType.DOUBLE}).build()).setName("summary");
        Table data = Files.exists(out.resolve("data.csv")) ? Table.read().csv(out.resolve("data.csv").toFile()).setName("data")
                : Table.create("data");
        Map<String, Table> metrics = new LinkedHashMap<>();
        Map<String, Table> samples = new LinkedHashMap<>();
        Map<String, Plot> plots = new LinkedHashMap<>();
        Map<String, Path> checkpoints = new LinkedHashMap<>();
        List<String> runs = new ArrayList<>(List.of("pretrain", "sft", "rm"));
        try (Stream<Path> dirs = Files.list(out)) {
            dirs.map(d -> d.getFileName().toString()).sorted()
                    .filter(d -> !runs.contains(d) && Files.exists(out.resolve(d).resolve("samples.csv"))).forEach(runs::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + out, e);
        }
        ExperimentResult partial = new ExperimentResult(summary, data, Map.of(), Map.of(), null, Map.of(), Map.of(), out);
        for (String name : runs) {
            Path dir = out.resolve(name);
            if (Files.exists(dir.resolve("metrics.csv"))) metrics.put(name, MetricsLog.read(name, dir.resolve("metrics.csv")));
            if (Files.isDirectory(dir.resolve("checkpoint"))) checkpoints.put(name, dir.resolve("checkpoint"));
            if (name.equals("rm") && Files.exists(dir.resolve("calibration.csv"))) {
                double gold = partial.value("rm_gold_agreement"), ceiling = partial.value("noise_ceiling");
                plots.put("reward_model", RunPlots.rewardModel(Table.read().csv(dir.resolve("calibration.csv").toFile()),
                        partial.value("rm_val_accuracy"), Double.isNaN(gold) ? null : gold, Double.isNaN(ceiling) ? null : ceiling));
            }
            if (Files.exists(dir.resolve("samples.csv"))) {
                samples.put(name, SamplesCsv.table(SamplesCsv.read(dir.resolve("samples.csv"))));
                Table t = metrics.get(name);
                boolean gold = t.columnNames().contains("objective/gold") && !t.doubleColumn("objective/gold").removeMissing().isEmpty();
                plots.put(name, RunPlots.policyGradient(name, t, gold));
            }
        }
        Table bestOfN = Files.exists(out.resolve("best_of_n.csv"))
                ? Table.read().csv(out.resolve("best_of_n.csv").toFile()).setName("best-of-n from SFT") : null;
        return new ExperimentResult(summary, data, metrics, samples, bestOfN, plots, checkpoints, out);
    }

    /** The value of one summary metric, or NaN if the run did not produce it. */
    public double value(String metric) {
        for (int i = 0; i < summary.rowCount(); i++) {
            if (summary.stringColumn("metric").get(i).equals(metric)) return summary.doubleColumn("value").get(i);
        }
        return Double.NaN;
    }
}
