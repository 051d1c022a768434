package plaudit.report;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A one-line terminal progress bar for long jobs: {@code [#####.....] 512/1000 51% 3.2 it/s eta 2m31s loss=2.31}.
 *
 * <p>On a terminal (or with {@code -Dplaudit.progress=live}, which the Jupyter integration sets) the line is redrawn
 * in place with a carriage return, throttled to a few redraws per second. Otherwise (a log file, CI) a plain line is
 * printed every 10 % or every 30 seconds, whichever comes first, so logs stay readable. When the total is unknown
 * (streaming readers) pass {@code total <= 0}: the bar then shows a count and a rate.
 *
 * <p>Bars go to standard error, or to standard output with {@code -Dplaudit.progress.stream=stdout} (the Jupyter
 * integration sets it: a notebook cell shows a library's standard output, not its standard error). The stream is
 * read when the bar is made, since the notebook kernel swaps {@code System.out} for every cell.
 */
public final class Progress implements AutoCloseable {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final long LOG_LINE_NANOS = 30_000_000_000L;
    private static final int WIDTH = 24;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private final Map<String, String> fields = new LinkedHashMap<>();
    private long done;
    private final boolean live;
    private long lastDraw;
    private long lastDecile;
    private boolean closed;

    public Progress(String label, long total) {
        this(label, total, "stdout".equals(System.getProperty("plaudit.progress.stream")) ? System.out : System.err);
    }

    public Progress(String label, long total, PrintStream out) {
        this.label = label;
        this.total = total;
        this.out = out;
        String mode = System.getProperty("plaudit.progress", "");
        this.live = mode.equals("live") || (!mode.equals("lines") && System.console() != null);
        this.lastDraw = live ? 0 : start;
    }

    /** Sets a named value shown after the bar (e.g. the current loss); shown at the next redraw. */
    public Progress set(String name, double value) {
        fields.put(name, String.format(Locale.ROOT, Math.abs(value) >= 1e4 || (value != 0 && Math.abs(value) < 1e-3) ? "%.3g" : "%.4f", value));
        return this;
    }

    public Progress set(String name, String value) {
        fields.put(name, value);
        return this;
    }

    public void step() {
        advance(1);
    }

    public synchronized void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (live) {
            if (now - lastDraw >= REDRAW_NANOS || (total > 0 && done >= total)) {
                lastDraw = now;
                draw(now);
            }
            return;
        }
        long decile = total > 0 ? 10 * done / total : 0;
        if (decile > lastDecile || now - lastDraw >= LOG_LINE_NANOS) {
            lastDecile = decile;
            lastDraw = now;
            draw(now);
            out.println();
        }
    }

    /** Prints {@code message} on a line of its own, above a live bar (which is redrawn below it). */
    public synchronized void warn(String message) {
        if (live) out.print("\r\u001b[K");
        out.println(label + ": " + message);
        if (live) draw(System.nanoTime());
        out.flush();
    }

    public long done() {
        return done;
    }

    private void draw(long now) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / secs;
        StringBuilder sb = new StringBuilder(live ? "\r" : "").append(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, WIDTH * done / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
            sb.append(done).append('/').append(total)
              .append(String.format(Locale.ROOT, " %3d%%", (int) (100 * done / total)));
        } else {
            sb.append(done);
        }
        sb.append(String.format(Locale.ROOT, " %s/s", human(rate)));
        if (total > 0 && done > 0 && done < total) {
            sb.append(" eta ").append(duration((long) ((total - done) / rate)));
        } else {
            sb.append(" ").append(duration((long) secs));
        }
        fields.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        if (live) sb.append("\u001b[K"); // clear the rest of a longer previous line
        out.print(sb);
        out.flush();
    }

    private static String human(double rate) {
        if (rate >= 1e6) return String.format(Locale.ROOT, "%.2fM", rate / 1e6);
        if (rate >= 1e4) return String.format(Locale.ROOT, "%.1fk", rate / 1e3);
        return String.format(Locale.ROOT, "%.2f", rate);
    }

    static String duration(long secs) {
        if (secs >= 3600) return String.format(Locale.ROOT, "%dh%02dm", secs / 3600, (secs % 3600) / 60);
        if (secs >= 60) return String.format(Locale.ROOT, "%dm%02ds", secs / 60, secs % 60);
        return secs + "s";
    }

    /** Draws the final state and ends the line. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (live || lastDecile < 10) {
            draw(System.nanoTime());
            out.println();
        }
        out.flush();
    }
}
