package plaudit;

/**
 * Input text quoted in an error or skip message. Input is hostile or broken by assumption: echoed raw, its control
 * bytes (escape sequences, carriage returns, NULs) would rewrite the user's terminal or split a stats.csv cell, and a
 * 50 MB field would become a 50 MB message. So every echo (a data record's field, a checkpoint's tensor name or
 * config value) goes through here: control characters, the Unicode line separators and U+FFFD appear as Java
 * escapes, and the text is cut after {@link #MAX} characters, saying how long it was.
 */
public final class Echo {
    /** Enough to recognise a value, short enough for one line of a report. */
    public static final int MAX = 80;

    private Echo() {
    }

    /** The value in single quotes, sanitised; "null" for null. */
    public static String quote(String s) {
        return s == null ? "null" : "'" + of(s) + "'";
    }

    /** The value sanitised, without quotes. */
    public static String of(String s) {
        return of(s, MAX);
    }

    /** Any value from a file (a number, a list, a name) as text, sanitised. */
    public static String of(Object value) {
        return of(String.valueOf(value), MAX);
    }

    /** The value sanitised, cut after {@code max} characters (for messages that already hold a quoted value). */
    public static String of(String s, int max) {
        if (s == null) return "null";
        StringBuilder out = new StringBuilder(Math.min(s.length(), max) + 8);
        int i = 0;
        for (; i < s.length() && out.length() < max; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029' || c == '\uFFFD'
                            || Character.isSurrogate(c) && !validPair(s, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (i < s.length()) out.append("… (").append(s.length()).append(" chars)");
        return out.toString();
    }

    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
