package plaudit.data.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding them, so a JSON parser can read each line straight from the
 * buffer. Memory stays constant: a line longer than {@link #MAX_LINE} bytes is not kept but reported as
 * {@link #tooLong()} and skipped up to its end. A final line without a newline still counts; "\r\n" endings are
 * accepted. A read error (a truncated .zst) becomes {@link InputFile#damaged} naming the last complete line.
 */
public final class LineReader {
    /** Longer than any real record (Pushshift's longest lines are ~100 kB); past this it is garbage. */
    public static final int MAX_LINE = 32 << 20;

    private final InputFile file;
    private final InputStream in;
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos;
    private int chunkLen;
    private byte[] line = new byte[1 << 12];
    private int lineLen;
    private boolean tooLong;
    private long lineNumber;
    private boolean eof;

    public LineReader(InputFile file) {
        this.file = file;
        this.in = file.stream();
    }

    /** Advances to the next line; false at the end of the input. */
    public boolean next() {
        if (eof) return false;
        lineLen = 0;
        tooLong = false;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkLen) {
                if (!fill()) {
                    eof = true;
                    if (!any) return false;
                    break;
                }
            }
            any = true;
            int nl = indexOf(chunk, chunkPos, chunkLen, (byte) '\n');
            int end = nl < 0 ? chunkLen : nl;
            append(chunk, chunkPos, end - chunkPos);
            chunkPos = nl < 0 ? chunkLen : nl + 1;
            if (nl >= 0) break;
        }
        lineNumber++;
        if (!tooLong && lineLen > 0 && line[lineLen - 1] == '\r') lineLen--;
        return true;
    }

    private boolean fill() {
        try {
            int n = in.read(chunk, 0, chunk.length);
            if (n <= 0) return false;
            chunkPos = 0;
            chunkLen = n;
            return true;
        } catch (IOException e) {
            throw file.damaged(e, lineNumber);
        }
    }

    private static int indexOf(byte[] b, int from, int to, byte v) {
        for (int i = from; i < to; i++) if (b[i] == v) return i;
        return -1;
    }

    private void append(byte[] src, int off, int len) {
        if (tooLong || len == 0) return;
        if (lineLen + len > MAX_LINE) {
            tooLong = true;
            lineLen = 0;
            line = new byte[1 << 12];
            return;
        }
        if (lineLen + len > line.length) line = Arrays.copyOf(line, Math.max(lineLen + len, line.length * 2));
        System.arraycopy(src, off, line, lineLen, len);
        lineLen += len;
    }

    /** The current line's bytes are {@code buffer()[0 .. length())}; valid until the next call to {@link #next()}. */
    public byte[] buffer() {
        return line;
    }

    public int length() {
        return lineLen;
    }

    /** 1-based number of the current line. */
    public long lineNumber() {
        return lineNumber;
    }

    /** The current line was longer than {@link #MAX_LINE}; its content was dropped. */
    public boolean tooLong() {
        return tooLong;
    }

    public boolean isBlank() {
        for (int i = 0; i < lineLen; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') return false;
        }
        return true;
    }

    public String text() {
        return new String(line, 0, lineLen, StandardCharsets.UTF_8);
    }
}
