package plaudit.data;

import com.github.luben.zstd.ZstdOutputStream;
import plaudit.data.io.InputFile;
import plaudit.data.source.RecordSink;
import plaudit.data.source.SourceReader;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test fixtures (kernel/src/test/resources/data) and small helpers shared by the data tests. */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path path(String relative) {
        try {
            return Path.of(Fixtures.class.getResource("/data/" + relative).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("no fixture " + relative, e);
        }
    }

    /** Everything a reader delivered, and the counts it kept. */
    public static final class Collected implements RecordSink {
        public final List<Post> posts = new ArrayList<>();
        public final List<Comment> comments = new ArrayList<>();
        public final List<PreferencePair> pairs = new ArrayList<>();
        public final DataStats stats;

        public Collected() {
            this(new DataStats());
        }

        Collected(DataStats stats) {
            this.stats = stats;
        }

        /** Records read, skipped ones included. */
        public long records() {
            return stats.read(DataStats.Unit.RECORDS);
        }

        /** Records skipped for {@code reason}. */
        public long skipped(SkipReason reason) {
            return stats.skipped(DataStats.Unit.RECORDS, reason);
        }

        @Override
        public void post(Post post) {
            posts.add(post);
        }

        @Override
        public void comment(Comment comment) {
            comments.add(comment);
        }

        @Override
        public void pair(PreferencePair pair) {
            pairs.add(pair);
        }

        public int delivered() {
            return posts.size() + comments.size() + pairs.size();
        }

        public Comment comment(String id) {
            return comments.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no comment " + id));
        }

        public Post post(String threadId) {
            return posts.stream().filter(p -> p.threadId().equals(threadId)).findFirst().orElseThrow(() -> new AssertionError("no post " + threadId));
        }
    }

    /** What {@code reader} delivers from {@code file}, counted in {@link Collected#stats}. */
    public static Collected read(SourceReader reader, Path file) {
        return read(reader, file, new DataStats());
    }

    public static Collected read(SourceReader reader, Path file, DataStats stats) {
        Collected c = new Collected(stats);
        try (InputFile in = InputFile.open(file)) {
            reader.read(in, c, stats);
        }
        return c;
    }

    /**
     * Compresses a file the way Pushshift did: a frame declaring a 2^windowLog window, which a default decoder
     * refuses ("Frame requires too much memory"). The early flush makes the frame size unknown to the compressor,
     * so it writes the window descriptor instead of a single-segment header.
     */
    public static Path zstd(Path src, Path dst, int windowLog) {
        try (OutputStream out = Files.newOutputStream(dst); ZstdOutputStream z = new ZstdOutputStream(out)) {
            z.setLevel(3);
            z.setLong(windowLog);
            z.setWindowLog(windowLog);
            byte[] all = Files.readAllBytes(src);
            int first = Math.min(all.length, 16);
            z.write(all, 0, first);
            z.flush();
            z.write(all, first, all.length - first);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dst;
    }
}
