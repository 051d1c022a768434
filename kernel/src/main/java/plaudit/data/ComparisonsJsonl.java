package plaudit.data;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import plaudit.UserError;
import plaudit.data.io.InputFile;
import plaudit.data.io.LineReader;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The comparisons file format, one JSON object per line:
 * <pre>{"prompt": …, "chosen": " …", "rejected": " …", "score_chosen": 12, "score_rejected": 3,
 *  "thread_id": "t3_abc", "source": "reddit", "split": "train"}</pre>
 * plus {@code "margin": 1.386} when margins are enabled. Unknown scores are {@code null}. Later stages (SFT, reward
 * model, PPO) read these files back with {@link #read} / {@link #forEach}.
 */
public final class ComparisonsJsonl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ComparisonsJsonl() {
    }

    /** Writes comparisons to one file. */
    public static final class Writer implements AutoCloseable {
        private final JsonGenerator gen;
        private final boolean margin;
        private long count;

        public Writer(OutputStream out, boolean margin) throws IOException {
            this.gen = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8);
            gen.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
            this.margin = margin;
        }

        public void write(Comparison c) {
            try {
                gen.writeStartObject();
                gen.writeStringField("prompt", c.prompt());
                gen.writeStringField("chosen", c.chosen());
                gen.writeStringField("rejected", c.rejected());
                writeScore("score_chosen", c.scoreChosen());
                writeScore("score_rejected", c.scoreRejected());
                gen.writeStringField("thread_id", c.threadId());
                gen.writeStringField("source", c.source());
                gen.writeStringField("split", c.split().key());
                if (margin) writeScore("margin", c.margin());
                gen.writeEndObject();
                count++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Integral scores as integers ("12", not "12.0"); NaN as null. */
        private void writeScore(String name, double v) throws IOException {
            // Jackson would write an infinity as the string "Infinity", a file that no later stage reads back:
            // the readers skip such records, so one arriving here is a bug.
            if (Double.isInfinite(v)) throw new IllegalArgumentException(name + " is " + v + ": not a finite number");
            if (Double.isNaN(v)) gen.writeNullField(name);
            else if (v == Math.rint(v) && Math.abs(v) < 1e15) gen.writeNumberField(name, (long) v);
            else gen.writeNumberField(name, v);
        }

        public long count() {
            return count;
        }

        @Override
        public void close() throws IOException {
            if (count > 0) gen.writeRaw('\n');
            gen.close();
        }
    }

    /**
     * Writes {@code train.jsonl}, {@code val.jsonl} and {@code test.jsonl} in a folder. Files are written under a
     * temporary name and only renamed by {@link #commit()}, so a run that fails half-way leaves no partial output.
     */
    public static final class SplitWriter implements Consumer<Comparison>, AutoCloseable {
        private final Path dir;
        private final Map<Split, Writer> writers = new EnumMap<>(Split.class);
        private boolean committed;

        public SplitWriter(Path dir, boolean margin) {
            this.dir = dir;
            try {
                Files.createDirectories(dir);
                for (Split s : Split.values()) {
                    writers.put(s, new Writer(new BufferedOutputStream(Files.newOutputStream(temp(s)), 1 << 16), margin));
                }
            } catch (IOException e) {
                close();
                throw new UserError("cannot write to " + dir + " (" + e.getMessage() + ")", e);
            }
        }

        public static Path file(Path dir, Split s) {
            return dir.resolve(s.key() + ".jsonl");
        }

        private Path temp(Split s) {
            return dir.resolve(s.key() + ".jsonl.partial");
        }

        @Override
        public void accept(Comparison c) {
            writers.get(c.split()).write(c);
        }

        public long count(Split s) {
            return writers.get(s).count();
        }

        public void commit() throws IOException {
            for (Writer w : writers.values()) w.close();
            for (Split s : Split.values()) Files.move(temp(s), file(dir, s), StandardCopyOption.REPLACE_EXISTING);
            committed = true;
        }

        /** Without {@link #commit()}: discards the partial files. */
        @Override
        public void close() {
            if (committed) return;
            for (Split s : Split.values()) {
                try {
                    Writer w = writers.get(s);
                    if (w != null) w.close();
                    Files.deleteIfExists(temp(s));
                } catch (IOException ignored) {
                    // best effort: the run already failed for another reason
                }
            }
        }
    }

    public static void write(Path file, List<Comparison> comparisons, boolean margin) throws IOException {
        try (Writer w = new Writer(new BufferedOutputStream(Files.newOutputStream(file)), margin)) {
            comparisons.forEach(w::write);
        }
    }

    public static List<Comparison> read(Path file) {
        List<Comparison> all = new ArrayList<>();
        forEach(file, all::add);
        return all;
    }

    /**
     * Streams the comparisons of a file (plain, .zst or .gz). A malformed line is a {@link UserError} naming the file
     * and line: these files are written by this tool, so damage means a wrong or truncated file, not noisy data.
     */
    public static void forEach(Path file, Consumer<Comparison> f) {
        try (InputFile in = InputFile.open(file)) {
            LineReader lines = new LineReader(in);
            while (lines.next()) {
                if (lines.isBlank()) continue;
                String where = file + ":" + lines.lineNumber();
                JsonNode n;
                try {
                    n = JSON.readTree(lines.buffer(), lines.offset(), lines.length());
                } catch (IOException e) {
                    throw new UserError(where + ": not a JSON comparison line (" + e.getMessage().lines().findFirst().orElse("") + ")");
                }
                f.accept(parse(n, where));
            }
        }
    }

    private static Comparison parse(JsonNode n, String where) {
        return new Comparison(text(n, "prompt", where), text(n, "chosen", where), text(n, "rejected", where),
                number(n, "score_chosen", where), number(n, "score_rejected", where), text(n, "thread_id", where),
                text(n, "source", where), splitOf(text(n, "split", where), where), number(n, "margin", where));
    }

    private static Split splitOf(String key, String where) {
        try {
            return Split.of(key);
        } catch (UserError e) {
            throw new UserError(where + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new UserError(where + ": field '" + field + "' must be a string");
        return v.textValue();
    }

    private static double number(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return Double.NaN;
        if (!v.isNumber()) throw new UserError(where + ": field '" + field + "' must be a number or null");
        return v.doubleValue();
    }
}
