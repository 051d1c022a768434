package plaudit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code plaudit} command in a JVM of its own, with its own heap limit, so that a bound on memory is measured on
 * the process the user would run (peak resident set from {@code /proc/PID/status}, sampled while it runs), and an
 * out-of-memory failure kills the child, not the benchmark.
 */
final class ChildJvm implements AutoCloseable {
    private static final String MAIN = "plaudit.cli.PlauditCli";
    private static final long POLL_MS = 10;

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final long started = System.nanoTime();
    private final Thread poller;
    private volatile long peakRssKb;

    /** What a finished command left: exit status, wall time, peak RSS and its output. */
    record Result(int rc, boolean timedOut, double seconds, double peakRssMb, String stdout, String stderr) {
        /** The first line of standard error, the one a user reads (empty when there is none). */
        String firstErrorLine() {
            String s = stderr.strip();
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        }

        int errorLines() {
            String s = stderr.strip();
            return s.isEmpty() ? 0 : (int) s.lines().count();
        }
    }

    private ChildJvm(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.poller = new Thread(this::poll, "rss-" + process.pid());
        poller.setDaemon(true);
        poller.start();
    }

    /** Starts {@code plaudit ARGS} with heap limit {@code xmx} (e.g. "64m"), output kept under {@code dir}. */
    static ChildJvm start(Path dir, String xmx, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + xmx, "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), MAIN));
        cmd.addAll(args);
        try {
            Files.createDirectories(dir);
            Path out = Files.createTempFile(dir, "stdout", ".txt");
            Path err = Files.createTempFile(dir, "stderr", ".txt");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new ChildJvm(p, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a child JVM for " + args, e);
        }
    }

    /** Runs {@code plaudit ARGS} to its end, or kills it after {@code timeout} (then {@code timedOut}). */
    static Result run(Path dir, String xmx, Duration timeout, List<String> args) {
        try (ChildJvm child = start(dir, xmx, args)) {
            return child.await(timeout);
        }
    }

    Result await(Duration timeout) {
        try {
            boolean timedOut = !process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (timedOut) process.destroyForcibly().waitFor();
            double seconds = (System.nanoTime() - started) / 1e9;
            poller.join(1000);
            return new Result(process.exitValue(), timedOut, seconds, peakRssKb / 1024.0, read(stdout), read(stderr));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + process.pid(), e);
        }
    }

    /** Standard error so far (a server's start line). */
    String stderrSoFar() {
        return read(stderr);
    }

    double peakRssMb() {
        return peakRssKb / 1024.0;
    }

    boolean alive() {
        return process.isAlive();
    }

    private void poll() {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        while (process.isAlive()) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peakRssKb = Math.max(peakRssKb, Long.parseLong(line.replaceAll("\\D", "")));
                    }
                }
                Thread.sleep(POLL_MS);
            } catch (IOException e) {
                return; // the process ended between isAlive and the read
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
