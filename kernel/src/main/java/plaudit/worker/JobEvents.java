package plaudit.worker;

import plaudit.train.pg.Sample;

import com.fasterxml.jackson.core.JsonProcessingException;
import plaudit.train.pg.SamplesCsv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live record of one job, as the events route streams it (one JSON object a line):
 * <pre>
 * {"seq":0,"time":1700000000000,"type":"status","job":{…}}
 * {"seq":1,"time":…,"type":"metrics","stage":"sft","row":{"step":1,"loss":5.1,…}}
 * {"seq":9,"time":…,"type":"sample","stage":"ppo","step":4,"prompt":…,"response":…,"score":0.3,"gold":0.1}
 * </pre>
 * Built by following the files the run writes (each stage's {@code metrics.csv}, PPO's {@code samples.csv}) and the
 * job's status, so it is the same whether the run is live, finished, or was resumed after a restart: a resumed stage
 * rewrites rows it had already written, identically (the runs are seeded), and only rows beyond those already
 * published are new. {@code time} is when the event was published (milliseconds since the epoch).
 */
final class JobEvents {
    private static final List<String> STAGES = List.of("pretrain", "sft", "rm", "ppo");

    private final String id;
    private final JobStore store;
    private final List<String> lines = new ArrayList<>();
    private final Map<Path, Integer> rowsPublished = new HashMap<>();
    private final Map<Path, Long> sizeSeen = new HashMap<>();
    private Job.Status lastStatus;
    private boolean closed;

    JobEvents(String id, JobStore store) {
        this.id = id;
        this.store = store;
    }

    /** Publishes what is new on disk; after the job ended and its files were read a last time, the record is closed. */
    synchronized void poll() {
        if (closed) return;
        Job job = store.get(id);
        Path out = store.out(id);
        for (String stage : STAGES) {
            Path csv = out.resolve(stage).resolve("metrics.csv");
            List<String> rows = newLines(csv);
            if (rows.isEmpty()) continue;
            String[] header = rows.get(0).split(",", -1);
            for (String row : rows.subList(Math.min(rows.size(), 1 + rowsPublished.getOrDefault(csv, 0)), rows.size())) {
                String[] cells = row.split(",", -1);
                Map<String, Object> values = new LinkedHashMap<>();
                for (int c = 0; c < header.length; c++) {
                    values.put(header[c], c < cells.length && !cells[c].isEmpty() ? Double.parseDouble(cells[c]) : null);
                }
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("type", "metrics");
                e.put("stage", stage);
                e.put("row", values);
                publish(e);
            }
            rowsPublished.put(csv, Math.max(rowsPublished.getOrDefault(csv, 0), rows.size() - 1));
        }
        Path samples = out.resolve("ppo").resolve("samples.csv");
        if (changed(samples)) {
            List<Sample> all = SamplesCsv.read(samples);
            int from = rowsPublished.getOrDefault(samples, 0);
            for (Sample x : all.subList(Math.min(from, all.size()), all.size())) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("type", "sample");
                e.put("stage", "ppo");
                e.put("step", x.step());
                e.put("prompt", x.prompt());
                e.put("response", x.response());
                e.put("score", finite(x.score()));
                e.put("gold", finite(x.gold()));
                publish(e);
            }
            rowsPublished.put(samples, Math.max(from, all.size()));
        }
        if (job.status() != lastStatus) {
            lastStatus = job.status();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("type", "status");
            e.put("job", JobStore.view(job));
            publish(e);
        }
        if (job.status().terminal()) {
            closed = true;
            notifyAll();
        }
    }

    /** Events from {@code from} on, waiting up to {@code waitMillis} for one if there is none yet. */
    synchronized List<String> since(int from, long waitMillis) throws InterruptedException {
        long until = System.currentTimeMillis() + waitMillis;
        while (lines.size() <= from && !closed) {
            long left = until - System.currentTimeMillis();
            if (left <= 0) break;
            wait(left);
        }
        return from >= lines.size() ? List.of() : new ArrayList<>(lines.subList(from, lines.size()));
    }

    synchronized boolean closed() {
        return closed;
    }

    synchronized int size() {
        return lines.size();
    }

    private void publish(Map<String, Object> event) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("seq", lines.size());
        e.put("time", System.currentTimeMillis());
        e.putAll(event);
        try {
            lines.add(JobStore.JSON.writeValueAsString(e));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        notifyAll();
    }

    /** Whole lines of a file that changed size since the last look (a line being written is left for the next). */
    private List<String> newLines(Path file) {
        if (!changed(file)) return List.of();
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : text.substring(0, end).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private boolean changed(Path file) {
        try {
            long size = Files.exists(file) ? Files.size(file) : -1;
            Long seen = sizeSeen.put(file, size);
            return size >= 0 && (seen == null || seen != size);
        } catch (IOException e) {
            return false; // replaced between the two calls: read at the next poll
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
