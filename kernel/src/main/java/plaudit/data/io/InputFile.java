package plaudit.data.io;

import com.github.luben.zstd.ZstdInputStream;
import plaudit.UserError;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * One input file, decompressed on the fly: zstd and gzip are recognised by their magic bytes (not the file name), so a
 * renamed file still reads. The number of compressed bytes consumed is tracked for progress bars and for error messages
 * that say where a damaged file stops being readable.
 */
public final class InputFile implements Closeable {
    private static final int ZSTD_MAGIC = 0xFD2FB528;
    /**
     * Pushshift compressed its dumps with {@code zstd --long=31}: frames declare windows up to 2 GiB, more than the
     * decoder accepts by default ("Window size larger than maximum"), so the limit is raised to the format's maximum.
     */
    private static final int PUSHSHIFT_WINDOW_LOG = 31;

    private final Path path;
    private final String compression;
    private final CountingStream raw;
    private final BufferedInputStream stream;

    private InputFile(Path path, String compression, CountingStream raw, BufferedInputStream stream) {
        this.path = path;
        this.compression = compression;
        this.raw = raw;
        this.stream = stream;
    }

    /** Opens a file for reading; a missing or unreadable file is a {@link UserError} naming it. */
    public static InputFile open(Path path) {
        if (Files.isDirectory(path)) throw new UserError(path + ": is a directory, expected a data file");
        try {
            CountingStream raw = new CountingStream(Files.newInputStream(path));
            BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
            buffered.mark(4);
            byte[] head = buffered.readNBytes(4);
            buffered.reset();
            if (head.length == 4 && littleEndianInt(head) == ZSTD_MAGIC) {
                ZstdInputStream z = new ZstdInputStream(buffered);
                z.setLongMax(PUSHSHIFT_WINDOW_LOG);
                return new InputFile(path, "zstd", raw, new BufferedInputStream(z, 1 << 16));
            }
            if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return new InputFile(path, "gzip", raw, new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16));
            }
            return new InputFile(path, "plain", raw, buffered);
        } catch (NoSuchFileException e) {
            throw new UserError(path + ": no such file");
        } catch (IOException e) {
            throw new UserError(path + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static int littleEndianInt(byte[] b) {
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    public Path path() {
        return path;
    }

    /** The file name, as used in messages and skip reports ({@code RC_2019-05.zst:1234}). */
    public String name() {
        return path.getFileName().toString();
    }

    /** The decompressed bytes. */
    public InputStream stream() {
        return stream;
    }

    /** Compressed bytes consumed so far (what a progress bar over the file size should show). */
    public long compressedBytesRead() {
        return raw.count;
    }

    public long size() {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The first {@code n} decompressed bytes (fewer at the end of the file), without consuming them. */
    public byte[] peek(int n) {
        try {
            stream.mark(n);
            byte[] head = stream.readNBytes(n);
            stream.reset();
            return head;
        } catch (IOException e) {
            throw damaged(e, -1);
        }
    }

    /**
     * The error for a read that failed part-way (typically a truncated .zst download): everything before it was read
     * and kept; the message names the file, the compressed byte offset and the last complete line (when known, >= 0).
     */
    public UserError damaged(IOException cause, long lastGoodLine) {
        String what = compression.equals("plain") ? "read error" : "truncated or corrupt " + compression + " data";
        String after = lastGoodLine >= 0
                ? ", after line " + lastGoodLine + " (" + cause.getMessage() + "); the " + lastGoodLine + " lines before it were read"
                : " (" + cause.getMessage() + ")";
        return new UserError(path + ": " + what + " at compressed byte " + compressedBytesRead() + after
                + ". Re-download or re-compress the file", cause);
    }

    @Override
    public void close() {
        try {
            stream.close();
        } catch (IOException ignored) {
            // closing a read-only stream loses nothing
        }
    }

    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
