package plaudit.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What libtorch ran during a piece of work, from PyTorch's own profiler (its Chrome trace): how many ATen ops were
 * called from Java ({@code calls}: the outermost ops, one or more per DJL method, each a JNI round trip), how many
 * ran in all (ops call ops: {@code matmul} calls {@code mm}), and the self time of each op (its time less that of the
 * ops it called). The profiler slows every op down, so shares of time mean more than the absolute times.
 */
record OpProfile(long calls, long ops, Map<String, Double> selfMicros) {

    /** Runs {@code work} under the profiler; the trace goes to a temporary file that is deleted afterwards. */
    static OpProfile of(Runnable work) {
        try {
            Path trace = Files.createTempFile("plaudit-trace", ".json");
            try {
                JniUtils.startProfile(false, false, false);
                try {
                    work.run();
                } finally {
                    JniUtils.stopProfile(trace.toString());
                }
                return parse(new ObjectMapper().readTree(trace.toFile()));
            } finally {
                Files.deleteIfExists(trace);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the profiler's trace", e);
        }
    }

    /** Self times from the trace's complete events ({@code "ph": "X"}), nested by time within each thread. */
    static OpProfile parse(JsonNode trace) {
        record Event(String name, String thread, double start, double end) {
        }
        List<Event> events = new ArrayList<>();
        for (JsonNode e : trace) {
            if (!"X".equals(e.path("ph").asText())) continue;
            double ts = e.path("ts").asDouble();
            events.add(new Event(e.path("name").asText(), e.path("tid").asText(), ts, ts + e.path("dur").asDouble()));
        }
        // a parent starts no later than its children and, at the same start, lasts longer
        events.sort(Comparator.comparing(Event::thread).thenComparingDouble(Event::start)
                .thenComparing(Comparator.comparingDouble(Event::end).reversed()));
        Map<String, Double> self = new LinkedHashMap<>();
        Deque<Event> open = new ArrayDeque<>();
        long roots = 0;
        String thread = null;
        for (Event e : events) {
            if (!e.thread.equals(thread)) {
                open.clear();
                thread = e.thread;
            }
            while (!open.isEmpty() && open.peek().end <= e.start) open.pop();
            if (open.isEmpty()) roots++;
            else self.merge(open.peek().name, -(e.end - e.start), Double::sum);
            self.merge(e.name, e.end - e.start, Double::sum);
            open.push(e);
        }
        return new OpProfile(roots, events.size(), self);
    }

    /** The {@code n} ops with the most self time, as "name share%; …" (ATen's {@code aten::} prefix dropped). */
    String top(int n) {
        double total = selfMicros.values().stream().mapToDouble(Double::doubleValue).sum();
        return selfMicros.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
                .map(e -> e.getKey().replace("aten::", "") + " " + Math.round(100 * e.getValue() / total) + "%")
                .collect(Collectors.joining("; "));
    }
}
