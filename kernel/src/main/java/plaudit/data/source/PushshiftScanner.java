package plaudit.data.source;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fast path for one Pushshift line: a strict single-pass scan of a flat JSON object that decodes only the
 * fields {@link PushshiftReader} needs and skips the rest byte by byte (real lines carry 20 to 110 keys, so a general
 * parser spends most of its time on names it throws away). It accepts only what it fully understands: any doubt
 * (an unusual type for a wanted field, an escaped key, deep nesting, non-UTF-8 bytes, anything not JSON) returns
 * false, and the line goes to the full parser, which then decides and reports. Whatever this scanner accepts, the
 * full parser accepts with the same values; a differential test checks that on fuzzed lines. The JSON grammar itself
 * is {@link JsonLineCursor}'s; this class maps the wanted fields to {@link PushshiftReader.Fields}.
 */
final class PushshiftScanner extends JsonLineCursor {
    private static final byte[][] NAMES = names("id", "author", "body", "selftext", "title", "subreddit", "link_id",
            "parent_id", "removed_by_category", "score", "created_utc", "edited", "over_18", "is_self");
    /** Indexes into NAMES by name length: most keys are rejected by their length alone. */
    private static final int[][] BY_LENGTH = byLength();

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

    /** Fills {@code f} from {@code bytes[offset .. offset + length)}; false when the line must go to the full parser. */
    boolean scan(byte[] bytes, int offset, int length, PushshiftReader.Fields f) {
        reset(bytes, offset, length);
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
        double v = Double.parseDouble(new String(b, start, pos - start, StandardCharsets.US_ASCII));
        if (!Double.isFinite(v)) throw Fallback.INSTANCE; // 1e400: the full parser reports it
        return v;
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
}
