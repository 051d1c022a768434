package plaudit.data.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits CSV (RFC 4180: comma-separated, {@code "quoted"} fields with {@code ""} for a quote, line breaks allowed
 * inside quotes) into records on the bytes, before decoding. Working on bytes is what makes a hostile file harmless:
 * a record longer than {@link LineReader#MAX_LINE} (a 50 MB field) is not kept but reported as {@link #tooLong()}
 * and passed over to its end, the quote state still followed so that reading resumes at the next record; and each
 * record is decoded on its own, strictly, so invalid UTF-8 costs that record only. Empty lines are not records.
 *
 * <p>Fields as the former parser gave them: unquoted values trimmed, quoted ones verbatim, an empty value null.
 */
public final class CsvRecords {
    /** More columns than any real export; past this a row is not a record. */
    public static final int MAX_COLUMNS = 4096;

    private final InputFile file;
    private final InputStream in;
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos;
    private int chunkLen;
    private byte[] record = new byte[1 << 12];
    private int length;
    private boolean tooLong;
    private long line; // physical lines consumed
    private long firstLine;
    private boolean eof;

    public CsvRecords(InputFile file) {
        this.file = file;
        this.in = file.stream();
    }

    /** Advances to the next record; false at the end of the input. */
    public boolean next() {
        while (!eof) {
            length = 0;
            tooLong = false;
            firstLine = line + 1;
            boolean quoted = false;
            while (true) {
                if (chunkPos == chunkLen && !fill()) {
                    eof = true;
                    break;
                }
                byte c = chunk[chunkPos++];
                if (c == '\n') {
                    line++;
                    if (!quoted) break;
                }
                if (c == '"') quoted = !quoted;
                append(c);
            }
            if (!tooLong && length > 0 && record[length - 1] == '\r') length--;
            if (tooLong || length > 0) return true;
        }
        return false;
    }

    private boolean fill() {
        try {
            int n = in.read(chunk, 0, chunk.length);
            if (n <= 0) return false;
            chunkPos = 0;
            chunkLen = n;
            return true;
        } catch (IOException e) {
            throw file.damaged(e, line);
        }
    }

    private void append(byte c) {
        if (tooLong) return;
        if (length == LineReader.MAX_LINE) {
            tooLong = true;
            record = new byte[1 << 12];
            length = 0;
            return;
        }
        if (length == record.length) record = Arrays.copyOf(record, Math.min(LineReader.MAX_LINE, record.length * 2));
        record[length++] = c;
    }

    /** The physical line (1-based) where the current record starts. */
    public long lineNumber() {
        return firstLine;
    }

    /** The current record was longer than {@link LineReader#MAX_LINE} bytes; its content was dropped. */
    public boolean tooLong() {
        return tooLong;
    }

    /** The current record's fields; null when it has more than {@link #MAX_COLUMNS}. */
    public String[] fields() throws CharacterCodingException {
        String s = Utf8.decode(record, 0, length);
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = s.length();
        while (true) {
            if (out.size() == MAX_COLUMNS) return null;
            field.setLength(0);
            int start = i;
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
            boolean quotedField = i < n && s.charAt(i) == '"';
            if (quotedField) {
                i++;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c != '"') field.append(c);
                    else if (i < n && s.charAt(i) == '"') field.append(s.charAt(i++));
                    else break;
                }
                while (i < n && s.charAt(i) != ',') field.append(s.charAt(i++)); // after the closing quote: kept as is
            } else {
                i = start;
                while (i < n && s.charAt(i) != ',') field.append(s.charAt(i++));
            }
            String v = quotedField ? field.toString() : field.toString().strip();
            out.add(v.isEmpty() ? null : v);
            if (i >= n) break;
            i++; // the comma
        }
        return out.toArray(String[]::new);
    }
}
