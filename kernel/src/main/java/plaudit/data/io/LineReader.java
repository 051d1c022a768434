package plaudit.data.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding them, so a JSON parser can read each line straight from the
 * buffer. Memory stays constant: a line longer than {@link #MAX_LINE} bytes is not kept but reported as
 * {@link #tooLong()} and skipped up to its end. A final line without a newline still counts; "\r\n" endings are
 * accepted. A read error (a truncated .zst) becomes {@link InputFile#damaged} naming the last complete line.
 *
 * <p>A line that lies inside one read chunk is handed out in place (no copy); only lines that straddle chunks are
 * assembled in a separate buffer. Either way the bytes are {@code buffer()[offset() .. offset() + length())} and stay
 * valid until the next call to {@link #next()}.
 */
public final class LineReader {
    /**
     * Longer than any real record (Pushshift's longest lines are ~100 kB); past this it is garbage. Kept small enough
     * that assembling one line (the buffer doubling up to this size) fits a small heap: a line buffer is one
     * contiguous array, and a 32 MiB one needed over 128 MiB of heap for a decompression bomb's endless line.
     */
    public static final int MAX_LINE = 8 << 20;

    private final InputFile file;
    private final InputStream in;
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos;
    private int chunkLen;
    private byte[] assembled = new byte[1 << 12];
    private byte[] view;
    private int viewOffset;
    private int length;
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
        tooLong = false;
        int pending = 0; // bytes of this line already copied into `assembled`
        boolean any = false;
        while (true) {
            if (chunkPos == chunkLen && !fill()) {
                eof = true;
                if (!any) return false;
                point(assembled, 0, pending);
                break;
            }
            any = true;
            int nl = Bytes.indexOf(chunk, chunkPos, chunkLen, (byte) '\n');
            if (nl >= 0 && pending == 0 && !tooLong) { // the whole line is in the chunk: hand it out in place
                point(chunk, chunkPos, nl - chunkPos);
                chunkPos = nl + 1;
                break;
            }
            int end = nl < 0 ? chunkLen : nl;
            pending = append(pending, chunkPos, end - chunkPos);
            chunkPos = nl < 0 ? chunkLen : nl + 1;
            if (nl >= 0) {
                point(assembled, 0, pending);
                break;
            }
        }
        lineNumber++;
        if (tooLong) length = 0;
        else if (length > 0 && view[viewOffset + length - 1] == '\r') length--;
        return true;
    }

    private void point(byte[] array, int offset, int len) {
        view = array;
        viewOffset = offset;
        length = len;
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

    private int append(int pending, int from, int len) {
        if (tooLong || len == 0) return pending;
        if (pending + len > MAX_LINE) {
            tooLong = true;
            assembled = new byte[1 << 12];
            return 0;
        }
        if (pending + len > assembled.length) {
            assembled = Arrays.copyOf(assembled, Math.min(MAX_LINE, Math.max(pending + len, assembled.length * 2)));
        }
        System.arraycopy(chunk, from, assembled, pending, len);
        return pending + len;
    }

    /** The array holding the current line; see {@link #offset()} and {@link #length()}. */
    public byte[] buffer() {
        return view;
    }

    public int offset() {
        return viewOffset;
    }

    public int length() {
        return length;
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
        for (int i = viewOffset; i < viewOffset + length; i++) {
            byte b = view[i];
            if (b != ' ' && b != '\t' && b != '\r') return false;
        }
        return true;
    }

    /** The line decoded as UTF-8; bytes that are not UTF-8 are an error, never a silent U+FFFD. */
    public String text() throws CharacterCodingException {
        return Utf8.decode(view, viewOffset, length);
    }
}
