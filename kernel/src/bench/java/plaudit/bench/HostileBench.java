package plaudit.bench;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Plaudit promises under hostile input and load, measured on the processes a user runs: every case starts
 * {@code plaudit} in a child JVM with a small heap ({@link ChildJvm}) and reports its outcome (exit status and the
 * first line of its error, which must be the whole error), wall time and peak resident memory. The inputs are the
 * ones adversarial testing found to break earlier versions: a Hacker News document far larger than the heap, a
 * 50 MB CSV field, a {@code config.json} with 100,000 layers, a million samples, a chunked request body larger than
 * the worker's heap, two workers on one data folder, and hundreds of concurrent clients.
 */
public final class HostileBench {
    private static final Pattern WORKER_URL = Pattern.compile("worker: (http://[^/ ]+)/v1");

    /** The sizes of one run: tiny proves each bound in about a minute, full uses the attack's own sizes. */
    public record Sizes(int hnMb, int csvFieldMb, int sampleNum, int chunkedMb, int clients, int clientSeconds) {
        public static final Sizes TINY = new Sizes(60, 50, 20_000, 300, 50, 5);
        public static final Sizes FULL = new Sizes(320, 50, 1_000_000, 1536, 300, 15);
    }

    private final Path work;
    private final Sizes sizes;
    private final StringColumn name = StringColumn.create("case");
    private final StringColumn input = StringColumn.create("input");
    private final StringColumn heap = StringColumn.create("heap");
    private final StringColumn outcome = StringColumn.create("outcome");
    private final DoubleColumn seconds = DoubleColumn.create("seconds");
    private final DoubleColumn rss = DoubleColumn.create("peak_rss_mb");

    private HostileBench(Path work, Sizes sizes) {
        this.work = work;
        this.sizes = sizes;
    }

    /** Runs every case in scratch folder {@code work}; one row a case. */
    public static Table run(Path work, Sizes sizes) throws IOException {
        HostileBench b = new HostileBench(work, sizes);
        b.hackerNews();
        b.csvField();
        Path checkpoint = b.tinyCheckpoint();
        b.hugeConfig(checkpoint);
        b.manySamples(checkpoint);
        b.worker();
        return Table.create("hostile input and load", b.name, b.input, b.heap, b.outcome, b.seconds, b.rss);
    }

    private void row(String c, String in, String xmx, String out, double s, double mb) {
        name.append(c);
        input.append(in);
        heap.append(xmx);
        outcome.append(out);
        seconds.append(s);
        rss.append(mb);
        System.err.printf("hostile: %s: %s (%.1f s, %.0f MB)%n", c, out, s, mb);
    }

    private void row(String c, String in, String xmx, ChildJvm.Result r) {
        row(c, in, xmx, outcome(r), r.seconds(), r.peakRssMb());
    }

    /** "exit 0", or the exit status with the first error line and how many lines the error took. */
    private static String outcome(ChildJvm.Result r) {
        if (r.rc() == 0) return "exit 0";
        String first = r.firstErrorLine();
        if (first.length() > 120) first = first.substring(0, 117) + "...";
        return "exit " + r.rc() + " (" + r.errorLines() + " line" + (r.errorLines() == 1 ? "" : "s") + "): " + first;
    }

    /**
     * A crawl document several times the child's heap: one story whose {@code kids} array takes half the bytes, then
     * stories of 100 comments each.
     */
    private void hackerNews() throws IOException {
        Path doc = work.resolve("hn.json");
        int comments = 0;
        long target = sizes.hnMb() * 1_000_000L;
        int kids = (int) (target / 2 / 11); // 11 bytes an id
        try (BufferedWriter w = Files.newBufferedWriter(doc)) {
            w.write("[{\"id\": 1, \"type\": \"story\", \"by\": \"asker\", \"time\": 1719840000, \"score\": 99, "
                    + "\"title\": \"Ask HN: a long thread\", \"text\": \"What do you use?\", \"kids\": [");
            for (int i = 0; i < kids; i++) w.write((i == 0 ? "" : ",") + (1_000_000_000 + i));
            w.write("]}");
            long written = kids * 11L;
            int story = 0;
            while (written < target) {
                int id = 2_000_000_000 - story * 101;
                String s = ",\n{\"id\": " + id + ", \"type\": \"story\", \"by\": \"op\", \"time\": 1719840000, \"score\": 40, "
                        + "\"title\": \"Ask HN: tools " + story + "?\", \"text\": \"Which?\", \"kids\": [" + (id - 1) + ", "
                        + (id - 2) + "]}";
                w.write(s);
                written += s.length();
                for (int i = 1; i <= 100; i++, comments++) {
                    String c = ",\n{\"id\": " + (id - i) + ", \"type\": \"comment\", \"by\": \"u" + i + "\", \"parent\": "
                            + id + ", \"time\": " + (1719840001 + i) + ", \"text\": \"I use tool number " + i
                            + " every day, it works well for me.\"}";
                    w.write(c);
                    written += c.length();
                }
                story++;
            }
            w.write("]");
        }
        String in = String.format("%,d MB document: a story with %,d kids, %,d comments", Files.size(doc) / 1_000_000,
                kids, comments);
        ChildJvm.Result r = ChildJvm.run(work.resolve("hn"), "64m", Duration.ofMinutes(10), List.of(
                "pairs", "--source", "hn", "--input", doc.toString(), "--out", work.resolve("hn-out").toString(),
                "--quiet"));
        row("HN reader: one huge document", in, "64m",
                r.rc() == 0 ? "exit 0, " + statsLine(work.resolve("hn-out/stats.csv")) : outcome(r), r.seconds(),
                r.peakRssMb());
        Files.delete(doc);

        Path deep = work.resolve("deep.json");
        Files.writeString(deep, "[".repeat(100_000) + "]".repeat(100_000));
        r = ChildJvm.run(work.resolve("hn"), "64m", Duration.ofMinutes(2), List.of(
                "pairs", "--source", "hn", "--input", deep.toString(), "--out", work.resolve("deep-out").toString(),
                "--quiet"));
        row("HN reader: deep nesting", "100,000 nested arrays", "64m", r);
    }

    /** A CSV export with one field of {@code csvFieldMb} MB between ordinary records. */
    private void csvField() throws IOException {
        Path csv = work.resolve("threads.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv)) {
            w.write("post_id,parent_id,body,score\n");
            w.write("t1,,\"How long should cold brew steep?\",25\n");
            w.write("t1,t1,\"Sixteen hours in the fridge.\",30\n");
            w.write("t1,t1,\"");
            char[] block = new char[1 << 20];
            Arrays.fill(block, 'x');
            for (int i = 0; i < sizes.csvFieldMb(); i++) w.write(block);
            w.write("\",12\n");
            w.write("t1,t1,\"Just buy it.\",4\n");
        }
        ChildJvm.Result r = ChildJvm.run(work.resolve("csv"), "128m", Duration.ofMinutes(5), List.of(
                "pairs", "--source", "csv", "--input", csv.toString(), "--map",
                "thread=post_id,parent=parent_id,text=body,score=score", "--no-later-rule", "--out", work.resolve("csv-out").toString(),
                "--quiet"));
        String kept = r.rc() == 0 ? "exit 0, " + statsLine(work.resolve("csv-out/stats.csv")) : outcome(r);
        row("CSV: one huge field", sizes.csvFieldMb() + " MB field among 4 records", "128m", kept, r.seconds(),
                r.peakRssMb());
        Files.delete(csv);
    }

    /** What a pairs run read, kept and skipped, from its stats.csv ("read comments 4; skipped … 1; kept total 3"). */
    private static String statsLine(Path stats) {
        try {
            List<String> parts = new ArrayList<>();
            for (String line : Files.readAllLines(stats)) {
                String[] cells = line.split(",", -1);
                if (cells.length < 3 || !cells[2].matches("[1-9]\\d*")) continue;
                boolean wanted = cells[0].equals("read") && cells[1].equals("comments") || cells[0].startsWith("skipped")
                        || cells[0].equals("kept") && cells[1].equals("total");
                if (wanted) parts.add(cells[0].replace('_', ' ') + " " + cells[1].replace('_', ' ') + " " + cells[2]);
            }
            return String.join("; ", parts);
        } catch (IOException e) {
            return "no stats.csv";
        }
    }

    /** A two-step model from a generated corpus: the checkpoint the next cases sample from and damage. */
    private Path tinyCheckpoint() throws IOException {
        Path corpus = work.resolve("corpus.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            sb.append("question ").append(i % 17).append(" about the pan and the oil?\n\nuse less heat, number ")
                    .append(i % 5).append(".\n<|endoftext|>\n");
        }
        Files.writeString(corpus, sb);
        Path out = work.resolve("lm");
        ChildJvm.Result r = ChildJvm.run(work.resolve("lm-run"), "1g", Duration.ofMinutes(5), List.of(
                "train-lm", "--corpus", corpus.toString(), "--out", out.toString(), "--steps", "2",
                "--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--block-size", "32", "--vocab-size", "300",
                "--batch", "4", "--eval-every", "1000"));
        if (r.rc() != 0) throw new IllegalStateException("train-lm for the hostile bench failed: " + r.stderr());
        return out.resolve("checkpoint");
    }

    /** The same checkpoint with {@code n_layer} 100,000 in its config.json. */
    private void hugeConfig(Path checkpoint) throws IOException {
        Path bad = work.resolve("huge-config");
        Files.createDirectories(bad);
        try (var files = Files.list(checkpoint)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) Files.copy(f, bad.resolve(f.getFileName()));
            }
        }
        Path config = bad.resolve("config.json");
        Files.writeString(config, Files.readString(config).replaceFirst("\"n_layer\"\\s*:\\s*\\d+", "\"n_layer\": 100000"));
        ChildJvm.Result r = ChildJvm.run(work.resolve("sample"), "64m", Duration.ofMinutes(2), List.of(
                "sample", "--checkpoint", bad.toString(), "--max-tokens", "4"));
        row("checkpoint: config.json n_layer 100000", "1-layer weights file", "64m", r);
    }

    private void manySamples(Path checkpoint) {
        ChildJvm.Result r = ChildJvm.run(work.resolve("sample"), "128m", Duration.ofMinutes(10), List.of(
                "sample", "--checkpoint", checkpoint.toString(), "--num", Integer.toString(sizes.sampleNum()),
                "--max-tokens", "4"));
        long written = r.stdout().lines().filter(l -> l.startsWith("--- sample ")).count();
        String lines = r.rc() == 0 ? String.format("exit 0, %,d samples written", written) : outcome(r);
        row("sample: many samples", String.format("--num %,d --max-tokens 4", sizes.sampleNum()), "128m", lines,
                r.seconds(), r.peakRssMb());
    }

    /** A worker with a 256 MB heap: chunked oversize body, a second worker on its folder, many clients. */
    private void worker() throws IOException {
        Path data = work.resolve("worker-data");
        try (ChildJvm worker = ChildJvm.start(work.resolve("worker"), "256m",
                List.of("worker", "--data", data.toString(), "--port", "0", "--device", "cpu"))) {
            String url = awaitUrl(worker);
            String token = Files.readString(data.resolve("token")).strip();

            long t0 = System.nanoTime();
            String answer = chunkedPost(url + "/v1/jobs", token, sizes.chunkedMb());
            row("worker: chunked request body", String.format("%,d MB, no Content-Length", sizes.chunkedMb()), "256m",
                    answer, (System.nanoTime() - t0) / 1e9, worker.peakRssMb());

            ChildJvm.Result second = ChildJvm.run(work.resolve("worker2"), "256m", Duration.ofSeconds(20),
                    List.of("worker", "--data", data.toString(), "--port", "0", "--device", "cpu"));
            row("worker: a second worker on the same --data", "same folder, worker 1 running", "256m",
                    second.timedOut() ? "started and served beside the first (stopped after 20 s)" : outcome(second),
                    second.seconds(), second.peakRssMb());

            load(url + "/v1/jobs", token, worker);
        }
    }

    private static String awaitUrl(ChildJvm worker) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline && worker.alive()) {
            Matcher m = WORKER_URL.matcher(worker.stderrSoFar());
            if (m.find()) return m.group(1);
            sleep(100);
        }
        throw new IllegalStateException("the worker did not start: " + worker.stderrSoFar());
    }

    /** POSTs {@code mb} MB in chunks; the status the worker answered, or how far the body got before it hung up. */
    private static String chunkedPost(String url, String token, int mb) {
        long sent = 0;
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setChunkedStreamingMode(1 << 16);
            c.setRequestProperty("Authorization", "Bearer " + token);
            c.setRequestProperty("Content-Type", "application/json");
            byte[] block = new byte[1 << 20];
            Arrays.fill(block, (byte) ' ');
            try (OutputStream out = c.getOutputStream()) {
                out.write("{\"experiment\": ".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < mb; i++) {
                    out.write(block);
                    sent += block.length;
                }
            } catch (IOException e) {
                return String.format("connection closed by the worker after %,d MB sent", sent >> 20);
            }
            return "HTTP " + c.getResponseCode();
        } catch (IOException e) {
            return "failed after " + (sent >> 20) + " MB: " + e.getMessage();
        }
    }

    /** {@code clients} threads each GETting the job list for {@code clientSeconds}: throughput and latency. */
    private void load(String url, String token, ChildJvm worker) {
        ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(sizes.clientSeconds()).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < sizes.clients(); i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    if (get(url, token)) micros.add((System.nanoTime() - s) / 1000);
                    else errors.incrementAndGet();
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        String out = String.format("%,d requests, %d errors, p50 %.0f ms, p99 %.0f ms", sorted.length, errors.get(),
                percentile(sorted, 0.50) / 1000.0, percentile(sorted, 0.99) / 1000.0);
        row("worker: concurrent clients", String.format("%d clients x %d s, GET /v1/jobs", sizes.clients(),
                sizes.clientSeconds()), "256m", out, sizes.clientSeconds(), worker.peakRssMb());
    }

    private static boolean get(String url, String token) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setRequestProperty("Authorization", "Bearer " + token);
            c.setConnectTimeout(30_000);
            c.setReadTimeout(30_000);
            try (InputStream in = c.getInputStream()) {
                in.readAllBytes();
            }
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
