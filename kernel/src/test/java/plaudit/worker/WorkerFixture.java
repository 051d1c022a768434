package plaudit.worker;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the worker tests share: the tiny experiment, metrics files compared without their timings, raw HTTP. */
final class WorkerFixture {
    static final String TOKEN = "s3cret-token-for-tests";

    private WorkerFixture() {
    }

    /** A seconds-long experiment: {@code Experiment.defaults()} shrunk (worker/tiny-experiment.json). */
    static String tinyExperiment() {
        try (InputStream in = WorkerFixture.class.getResourceAsStream("/worker/tiny-experiment.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A metrics.csv without its wall-clock columns (time/…, …_per_s), which differ between any two runs. */
    static List<String> metricsWithoutTimes(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",", -1);
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String[] cells = line.split(",", -1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < header.length; i++) {
                if (header[i].startsWith("time/") || header[i].endsWith("_per_s")) continue;
                sb.append(cells[i]).append(',');
            }
            out.add(sb.toString());
        }
        return out;
    }

    /**
     * Two CSV files (timings dropped) equal cell by cell, numbers within {@code 1e-4 + rel·|expected|}: for runs in
     * two JVMs, which on a loaded machine may differ in the last float digits (reductions split across threads in
     * another order); runs in one JVM are compared exactly.
     */
    static void assertCsvClose(Path expected, Path actual, double rel) throws IOException {
        assertLinesClose(metricsWithoutTimes(expected), metricsWithoutTimes(actual), actual, rel);
    }

    static void assertLinesClose(List<String> e, List<String> a, Path actual, double rel) {
        assertEquals(e.size(), a.size(), "rows of " + actual);
        for (int r = 0; r < e.size(); r++) {
            String[] ec = e.get(r).split(",", -1), ac = a.get(r).split(",", -1);
            assertEquals(ec.length, ac.length, "row " + r + " of " + actual);
            for (int c = 0; c < ec.length; c++) {
                if (ec[c].equals(ac[c])) continue;
                double x = Double.parseDouble(ec[c]), y = Double.parseDouble(ac[c]);
                assertTrue(Math.abs(x - y) <= 1e-4 + rel * Math.abs(x),
                        actual + " row " + r + " column " + c + ": expected " + x + ", got " + y);
            }
        }
    }

    static HttpResponse<String> call(String method, String url, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        try {
            return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JobStore.JSON.readTree(r.body());
    }
}
