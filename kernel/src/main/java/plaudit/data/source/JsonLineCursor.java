package plaudit.data.source;

import plaudit.data.io.Bytes;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A position in the bytes of one JSON text, and the strict JSON grammar read from there: whitespace, literals, numbers,
 * strings (decoded, or skipped with their escapes and UTF-8 checked) and whole values skipped. Anything it does not
 * fully understand throws {@link Fallback}, so a scanner built on it can leave every doubtful line to a full parser.
 */
class JsonLineCursor {
    private static final int MAX_DEPTH = 32;
    /** Well below the full parser's 20M-character string limit, so both agree on what is too long. */
    private static final int MAX_STRING = 1 << 20;

    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final StringBuilder text = new StringBuilder();
    byte[] b;
    int end;
    int pos;

    /** Not valid, or not handled here: the caller falls back to the full parser. */
    static final class Fallback extends Exception {
        static final Fallback INSTANCE = new Fallback();

        private Fallback() {
            super(null, null, false, false);
        }
    }

    /** Starts reading {@code bytes[offset .. offset + length)}. */
    final void reset(byte[] bytes, int offset, int length) {
        b = bytes;
        pos = offset;
        end = offset + length;
    }

    /** JSON number grammar; with {@code fractions} false, only integers. Returns false if there is no number here. */
    final boolean number(boolean fractions) throws Fallback {
        int start = pos;
        if (peekOrZero() == '-') pos++;
        if (peekOrZero() == '0') pos++;
        else if (digits() == 0) {
            pos = start;
            if (fractions) throw Fallback.INSTANCE;
            return false;
        }
        byte c = peekOrZero();
        if (c == '.' || c == 'e' || c == 'E') {
            if (!fractions) throw Fallback.INSTANCE;
            if (c == '.') {
                pos++;
                if (digits() == 0) throw Fallback.INSTANCE;
            }
            c = peekOrZero();
            if (c == 'e' || c == 'E') {
                pos++;
                c = peekOrZero();
                if (c == '+' || c == '-') pos++;
                if (digits() == 0) throw Fallback.INSTANCE;
            }
        }
        if (pos - start > 40) throw Fallback.INSTANCE; // leave odd numbers to the full parser's limits
        return true;
    }

    private int digits() {
        int n = 0;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            pos++;
            n++;
        }
        return n;
    }

    final boolean literal(String word) {
        int n = word.length();
        if (pos + n > end) return false;
        for (int i = 0; i < n; i++) if (b[pos + i] != word.charAt(i)) return false;
        int after = pos + n;
        if (after < end && Character.isLetterOrDigit(b[after])) return false;
        pos = after;
        return true;
    }

    /** Decodes the string at pos (which is at its opening quote). */
    final String string() throws Fallback {
        expect('"');
        int start = pos;
        boolean ascii = plainBytes();
        if (peek() == '\\') return escapedString(start);
        if (pos - start > MAX_STRING) throw Fallback.INSTANCE;
        String s = ascii ? new String(b, start, pos - start, StandardCharsets.ISO_8859_1) : utf8(start, pos);
        pos++;
        return s;
    }

    private String escapedString(int start) throws Fallback {
        text.setLength(0);
        int run = start;
        while (true) {
            plainBytes();
            if (peek() == '"') {
                if (pos - start > MAX_STRING) throw Fallback.INSTANCE;
                text.append(utf8(run, pos));
                pos++;
                return text.toString();
            }
            text.append(utf8(run, pos));
            pos++;
            byte e = next();
            switch (e) {
                case '"' -> text.append('"');
                case '\\' -> text.append('\\');
                case '/' -> text.append('/');
                case 'b' -> text.append('\b');
                case 'f' -> text.append('\f');
                case 'n' -> text.append('\n');
                case 'r' -> text.append('\r');
                case 't' -> text.append('\t');
                case 'u' -> text.append((char) hex4());
                default -> throw Fallback.INSTANCE;
            }
            run = pos;
        }
    }

    private int hex4() throws Fallback {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(next(), 16);
            if (d < 0) throw Fallback.INSTANCE;
            v = v << 4 | d;
        }
        return v;
    }

    private String utf8(int from, int to) throws Fallback {
        for (int i = from; i < to; i++) {
            if (b[i] < 0) {
                try {
                    CharBuffer chars = utf8.decode(ByteBuffer.wrap(b, from, to - from));
                    return chars.toString();
                } catch (CharacterCodingException e) {
                    throw Fallback.INSTANCE;
                }
            }
        }
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    final void skipValue(int depth) throws Fallback {
        if (depth > MAX_DEPTH) throw Fallback.INSTANCE;
        byte c = peek();
        switch (c) {
            case '"' -> skipString();
            case '{' -> {
                if (opensEmpty('}')) return;
                do {
                    skipString();
                    ws();
                    expect(':');
                    ws();
                    skipValue(depth + 1);
                } while (!closes('}'));
            }
            case '[' -> {
                if (opensEmpty(']')) return;
                do skipValue(depth + 1);
                while (!closes(']'));
            }
            default -> {
                if (literal("true") || literal("false") || literal("null")) return;
                number(true);
            }
        }
    }

    /** Steps over the opening bracket at pos; true when the bracket {@code close} follows at once (an empty one). */
    private boolean opensEmpty(char close) throws Fallback {
        pos++;
        ws();
        if (peek() != close) return false;
        pos++;
        return true;
    }

    /** After a member of an object or array: true at its closing bracket {@code close}, false after a comma. */
    final boolean closes(char close) throws Fallback {
        ws();
        byte c = next();
        if (c == close) return true;
        if (c != ',') throw Fallback.INSTANCE;
        ws();
        return false;
    }

    /**
     * Moves pos over a string's plain bytes, to its next quote or backslash; false if it passed a non-ASCII byte (whose
     * UTF-8 the caller still has to check). Control bytes are not JSON.
     */
    private boolean plainBytes() throws Fallback {
        boolean ascii = true;
        while (true) {
            pos = Bytes.indexOfStringSpecial(b, pos, end);
            int c = peek() & 0xff;
            if (c == '"' || c == '\\') return ascii;
            if (c < 0x20) throw Fallback.INSTANCE;
            ascii = false; // c >= 0x80
            pos++;
        }
    }

    /** Skips a string, validating escapes and (where present) UTF-8, as the full parser would. */
    private void skipString() throws Fallback {
        expect('"');
        int start = pos;
        boolean ascii = plainBytes();
        while (peek() == '\\') {
            pos++;
            byte e = next();
            if (e == 'u') hex4();
            else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
                throw Fallback.INSTANCE;
            }
            ascii &= plainBytes();
        }
        if (!ascii) utf8(start, pos);
        pos++;
    }

    final void ws() {
        while (pos < end) {
            byte c = b[pos];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return;
            pos++;
        }
    }

    final byte peek() throws Fallback {
        if (pos >= end) throw Fallback.INSTANCE;
        return b[pos];
    }

    final byte peekOrZero() {
        return pos < end ? b[pos] : 0;
    }

    final byte next() throws Fallback {
        if (pos >= end) throw Fallback.INSTANCE;
        return b[pos++];
    }

    final void expect(char c) throws Fallback {
        if (next() != c) throw Fallback.INSTANCE;
    }
}
