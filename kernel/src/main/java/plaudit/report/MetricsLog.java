package plaudit.report;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-step metrics, kept as a Tablesaw table and appended to a CSV file as they arrive (flushed every row), so a
 * crashed or killed run keeps every step it finished. Columns are fixed by the first row; a later row may omit a
 * column (written as empty / NaN) but may not introduce a new one.
 */
public final class MetricsLog implements AutoCloseable {
    private final String name;
    private final BufferedWriter csv;
    private final List<String> columns = new ArrayList<>();
    private final List<Map<String, Double>> rows = new ArrayList<>();

    /** @param csvFile where to append rows, or null to keep them in memory only */
    public MetricsLog(String name, Path csvFile) {
        this.name = name;
        try {
            if (csvFile != null && csvFile.getParent() != null) Files.createDirectories(csvFile.getParent());
            this.csv = csvFile == null ? null : Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics file " + csvFile, e);
        }
    }

    /**
     * Continues a log after a resume: keeps the header and the first {@code keepRows} rows of an existing file (the
     * steps the checkpoint covers; later rows were never checkpointed and will be recomputed), then appends.
     */
    public static MetricsLog resume(String name, Path csvFile, int keepRows) {
        List<Map<String, Double>> kept = rows(csvFile, keepRows);
        MetricsLog log = new MetricsLog(name, csvFile);
        kept.forEach(log::log);
        return log;
    }

    /** A metrics file written by a finished log, as {@link #table()} had it (values as precise as the file). */
    public static Table read(String name, Path csvFile) {
        MetricsLog log = new MetricsLog(name, null);
        rows(csvFile, Integer.MAX_VALUE).forEach(log::log);
        return log.table();
    }

    private static List<Map<String, Double>> rows(Path csvFile, int keepRows) {
        List<String> lines;
        try {
            lines = Files.exists(csvFile) ? Files.readAllLines(csvFile, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read metrics file " + csvFile, e);
        }
        List<Map<String, Double>> rows = new ArrayList<>();
        if (lines.isEmpty()) return rows;
        String[] header = lines.get(0).split(",", -1);
        for (int i = 1; i <= keepRows && i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            Map<String, Double> row = new LinkedHashMap<>();
            for (int c = 0; c < header.length; c++) {
                row.put(header[c], c < cells.length && !cells[c].isEmpty() ? Double.parseDouble(cells[c]) : Double.NaN);
            }
            rows.add(row);
        }
        return rows;
    }

    public synchronized void log(Map<String, ? extends Number> row) {
        Map<String, Double> r = new LinkedHashMap<>();
        row.forEach((k, v) -> r.put(k, v == null ? Double.NaN : v.doubleValue()));
        if (columns.isEmpty()) {
            columns.addAll(r.keySet());
            write(String.join(",", columns));
        } else {
            for (String k : r.keySet()) {
                if (!columns.contains(k)) throw new IllegalArgumentException("metric '" + k + "' was not in the first row " + columns);
            }
        }
        rows.add(r);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) sb.append(',');
            Double v = r.get(columns.get(i));
            if (v != null && !v.isNaN()) sb.append(format(v));
        }
        write(sb.toString());
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private void write(String line) {
        if (csv == null) return;
        try {
            csv.write(line);
            csv.newLine();
            csv.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to metrics file", e);
        }
    }

    public synchronized int size() {
        return rows.size();
    }

    /** All rows as a table with one double column per metric. */
    public synchronized Table table() {
        Table t = Table.create(name);
        for (String c : columns) {
            DoubleColumn col = DoubleColumn.create(c);
            for (Map<String, Double> r : rows) col.append(r.getOrDefault(c, Double.NaN));
            t.addColumns(col);
        }
        return t;
    }

    /**
     * A short summary: first and last value, min and max of each metric (what a user reads at the end of a run).
     */
    public synchronized Table summary() {
        return summary(table());
    }

    /** {@link #summary()} of a metrics table (e.g. a run's whole table after a resume). */
    public static Table summary(Table all) {
        Table t = Table.create(all.name() + " summary");
        StringColumn metric = StringColumn.create("metric");
        DoubleColumn first = DoubleColumn.create("first"), last = DoubleColumn.create("last"),
                min = DoubleColumn.create("min"), max = DoubleColumn.create("max");
        for (String c : all.columnNames()) {
            DoubleColumn col = all.doubleColumn(c).removeMissing();
            metric.append(c);
            first.append(col.isEmpty() ? Double.NaN : col.get(0));
            last.append(col.isEmpty() ? Double.NaN : col.get(col.size() - 1));
            min.append(col.isEmpty() ? Double.NaN : col.min());
            max.append(col.isEmpty() ? Double.NaN : col.max());
        }
        return t.addColumns(metric, first, last, min, max);
    }

    @Override
    public synchronized void close() {
        if (csv == null) return;
        try {
            csv.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
