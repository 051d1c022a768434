package plaudit.data.source;

import plaudit.data.io.Bytes;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fast path for one Pushshift line: a strict single-pass scan of a flat JSON object that decodes only the
 * fields {@link PushshiftReader} needs and skips the rest byte by byte (real lines carry 20 to 110 keys, so a general
 * parser spends most of its time on names it throws away). It accepts only what it fully understands: any doubt
 * (an unusual type for a wanted field, an escaped key, deep nesting, non-UTF-8 bytes, anything not JSON) returns
 * false, and the line goes to the full parser, which then decides and reports. Whatever this scanner accepts, the
 * full parser accepts with the same values; a differential test checks that on fuzzed lines.
 */
final class PushshiftScanner {
    private static final byte[][] NAMES = names("id", "author", "body", "selftext", "title", "subreddit", "link_id",
            "parent_id", "removed_by_category", "score", "created_utc", "edited", "over_18", "is_self");
    /** Indexes into NAMES by name length: most keys are rejected by their length alone. */
    private static final int[][] BY_LENGTH = byLength();
    private static final int MAX_DEPTH = 32;
    /** Well below the full parser's 20M-character string limit, so both agree on what is too long. */
    private static final int MAX_STRING = 1 << 20;

    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final StringBuilder text = new StringBuilder();
    private byte[] b;
    private int end;
    private int pos;

    private static int[][] byLength() {
        int[][] out = new int[32][0];
        for (int k = 0; k < NAMES.length; k++) {
            int n = NAMES[k].length;
            out[n] = Arrays.copyOf(out[n], out[n].length + 1);
            out[n][out[n].length - 1] = k;
        }
        return out;
    }

    private static byte[][] names(String... names) {
        byte[][] out = new byte[names.length][];
        for (int i = 0; i < names.length; i++) out[i] = names[i].getBytes(StandardCharsets.US_ASCII);
        return out;
    }

    /** Not valid, or not handled here: the caller falls back to the full parser. */
    private static final class Fallback extends Exception {
        static final Fallback INSTANCE = new Fallback();

        private Fallback() {
            super(null, null, false, false);
        }
    }

    /** Fills {@code f} from {@code bytes[offset .. offset + length)}; false when the line must go to the full parser. */
    boolean scan(byte[] bytes, int offset, int length, PushshiftReader.Fields f) {
        b = bytes;
        pos = offset;
        end = offset + length;
        try {
            ws();
            expect('{');
            ws();
            if (peek() == '}') {
                pos++;
            } else {
                while (true) {
                    expect('"');
                    int keyStart = pos;
                    while (peek() != '"') {
                        int k = b[pos] & 0xff; // real keys are plain ASCII
                        if (k == '\\' || k < 0x20 || k >= 0x80) throw Fallback.INSTANCE;
                        pos++;
                    }
                    int key = keyIndex(keyStart, pos);
                    pos++;
                    ws();
                    expect(':');
                    ws();
                    if (key < 0) skipValue(0);
                    else field(key, f);
                    if (closes('}')) break;
                }
            }
            ws();
            return pos == end;
        } catch (Fallback | ArrayIndexOutOfBoundsException e) {
            return false;
        }
    }

    private int keyIndex(int from, int to) {
        int n = to - from;
        if (n >= BY_LENGTH.length) return -1;
        candidates:
        for (int k : BY_LENGTH[n]) {
            byte[] name = NAMES[k];
            for (int i = 0; i < n; i++) if (b[from + i] != name[i]) continue candidates;
            return k;
        }
        return -1;
    }

    private void field(int key, PushshiftReader.Fields f) throws Fallback {
        switch (key) {
            case 0 -> f.id = stringOrInt();
            case 1 -> f.author = stringOrInt();
            case 2 -> f.body = stringOrInt();
            case 3 -> f.selftext = stringOrInt();
            case 4 -> f.title = stringOrInt();
            case 5 -> f.subreddit = stringOrInt();
            case 6 -> f.linkId = stringOrInt();
            case 7 -> f.parentId = stringOrInt();
            case 8 -> f.removedBy = stringOrInt();
            case 9 -> f.score = number();
            case 10 -> f.created = number();
            case 11 -> f.edited = edited();
            case 12 -> f.over18 = flag() == Boolean.TRUE;
            case 13 -> f.isSelf = flag();
            default -> throw Fallback.INSTANCE;
        }
    }

    /** A string, null, or an integer's text (very old ids); other types go to the full parser. */
    private String stringOrInt() throws Fallback {
        byte c = peek();
        if (c == '"') return string();
        if (literal("null")) return null;
        int start = pos;
        if (number(false)) return new String(b, start, pos - start, StandardCharsets.US_ASCII);
        throw Fallback.INSTANCE;
    }

    private Double number() throws Fallback {
        byte c = peek();
        if (c == '"') {
            try {
                return JsonRecords.parseNumber("", string());
            } catch (BadRecord bad) {
                throw Fallback.INSTANCE; // the full parser reports it
            }
        }
        if (literal("null")) return null;
        return numberValue();
    }

    /** The number at pos, valued as the full parser values it (integers exactly, so "-0" is 0). */
    private double numberValue() throws Fallback {
        int start = pos;
        number(true);
        boolean negative = b[start] == '-';
        int digitsFrom = negative ? start + 1 : start;
        if (pos - digitsFrom <= 18) {
            long v = 0;
            int i = digitsFrom;
            while (i < pos && b[i] >= '0' && b[i] <= '9') v = v * 10 + (b[i++] - '0');
            if (i == pos) return negative ? -v : v; // an integer; -0 is 0, as the full parser has it
        }
        return Double.parseDouble(new String(b, start, pos - start, StandardCharsets.US_ASCII));
    }

    private boolean edited() throws Fallback {
        byte c = peek();
        if (literal("true")) return true;
        if (literal("false") || literal("null")) return false;
        if (c == '"') {
            String s = string();
            return !s.isBlank() && !s.equalsIgnoreCase("false");
        }
        if (c == '-' || (c >= '0' && c <= '9')) return numberValue() > 0;
        throw Fallback.INSTANCE;
    }

    private Boolean flag() throws Fallback {
        if (literal("true")) return true;
        if (literal("false")) return false;
        if (literal("null")) return null;
        throw Fallback.INSTANCE;
    }

    /** JSON number grammar; with {@code fractions} false, only integers. Returns false if there is no number here. */
    private boolean number(boolean fractions) throws Fallback {
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

    private boolean literal(String word) {
        int n = word.length();
        if (pos + n > end) return false;
        for (int i = 0; i < n; i++) if (b[pos + i] != word.charAt(i)) return false;
        int after = pos + n;
        if (after < end && Character.isLetterOrDigit(b[after])) return false;
        pos = after;
        return true;
    }

    /** Decodes the string at pos (which is at its opening quote). */
    private String string() throws Fallback {
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

    private void skipValue(int depth) throws Fallback {
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
    private boolean closes(char close) throws Fallback {
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

    private void ws() {
        while (pos < end) {
            byte c = b[pos];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return;
            pos++;
        }
    }

    private byte peek() throws Fallback {
        if (pos >= end) throw Fallback.INSTANCE;
        return b[pos];
    }

    private byte peekOrZero() {
        return pos < end ? b[pos] : 0;
    }

    private byte next() throws Fallback {
        if (pos >= end) throw Fallback.INSTANCE;
        return b[pos++];
    }

    private void expect(char c) throws Fallback {
        if (next() != c) throw Fallback.INSTANCE;
    }
}
