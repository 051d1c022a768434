package plaudit.data.io;

import java.util.Map;

/**
 * HTML bodies (Stack Exchange, Hacker News) to plain text, and entity decoding. Deliberately small: tags are dropped,
 * block tags become line breaks, list items become "- " lines, and entities are decoded, which is all a language model
 * needs from these sites' restricted HTML. Text inside {@code <pre>}/{@code <code>} keeps its line breaks.
 */
public final class Html {
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", " "), Map.entry("hellip", "…"), Map.entry("mdash", "—"),
            Map.entry("ndash", "–"), Map.entry("rsquo", "’"), Map.entry("lsquo", "‘"), Map.entry("rdquo", "”"),
            Map.entry("ldquo", "“"), Map.entry("copy", "©"), Map.entry("reg", "®"), Map.entry("trade", "™"),
            Map.entry("times", "×"), Map.entry("euro", "€"), Map.entry("pound", "£"), Map.entry("deg", "°"));

    private Html() {
    }

    public static String toText(String html) {
        if (html.indexOf('<') < 0 && html.indexOf('&') < 0) return html.strip();
        StringBuilder out = new StringBuilder(html.length());
        int pre = 0; // inside <pre>, whitespace is content (code indentation); elsewhere it collapses as in a browser
        int i = 0;
        int n = html.length();
        while (i < n) {
            char c = html.charAt(i);
            if (c == '<') {
                int close = html.indexOf('>', i + 1);
                if (close < 0) {
                    out.append(c);
                    i++;
                    continue;
                }
                boolean closing = i + 1 < close && html.charAt(i + 1) == '/';
                String tag = tagName(html, i + 1, close);
                if (tag.equals("pre")) pre = Math.max(0, pre + (closing ? -1 : 1));
                block(tag, closing, out);
                i = close + 1;
            } else if (c == '&') {
                i = entity(html, i, out);
            } else {
                if (pre > 0 || !Character.isWhitespace(c)) out.append(c);
                else if (out.length() > 0 && out.charAt(out.length() - 1) != ' ' && out.charAt(out.length() - 1) != '\n') out.append(' ');
                i++;
            }
        }
        return collapseBlankLines(out).strip();
    }

    private static String tagName(String html, int from, int to) {
        int s = from;
        if (s < to && html.charAt(s) == '/') s++;
        int e = s;
        while (e < to && Character.isLetterOrDigit(html.charAt(e))) e++;
        return html.substring(s, e).toLowerCase();
    }

    private static void block(String tag, boolean closing, StringBuilder out) {
        switch (tag) {
            case "p", "div", "pre", "blockquote", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr" -> newline(out, "\n\n");
            case "br", "tr" -> newline(out, "\n");
            case "li" -> {
                if (!closing) newline(out, "\n- ");
            }
            default -> { }
        }
    }

    private static void newline(StringBuilder out, String s) {
        while (out.length() > 0 && out.charAt(out.length() - 1) == ' ') out.setLength(out.length() - 1);
        out.append(s);
    }

    /** Decodes the entity starting at {@code s.charAt(i) == '&'}, appends it, and returns the index after it. */
    private static int entity(String s, int i, StringBuilder out) {
        int semi = s.indexOf(';', i + 1);
        if (semi < 0 || semi - i > 10) {
            out.append('&');
            return i + 1;
        }
        String body = s.substring(i + 1, semi);
        String decoded = null;
        if (body.startsWith("#x") || body.startsWith("#X")) decoded = codePoint(body.substring(2), 16);
        else if (body.startsWith("#")) decoded = codePoint(body.substring(1), 10);
        else decoded = NAMED.get(body);
        if (decoded == null) {
            out.append('&');
            return i + 1;
        }
        out.append(decoded);
        return semi + 1;
    }

    private static String codePoint(String digits, int radix) {
        try {
            int cp = Integer.parseInt(digits, radix);
            return Character.isValidCodePoint(cp) && cp != 0 ? new String(Character.toChars(cp)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Decodes entities only (no tags): for titles and other attribute text. */
    public static String unescape(String s) {
        if (s.indexOf('&') < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '&') i = entity(s, i, out);
            else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * Reddit stores Markdown with exactly three characters HTML-escaped ({@code &amp; &lt; &gt;}, e.g. quotes appear
     * as {@code &gt; quoted}); undoing just those gives back what the author typed.
     */
    public static String unescapeRedditMarkdown(String s) {
        if (s.indexOf('&') < 0) return s;
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private static String collapseBlankLines(StringBuilder sb) {
        StringBuilder out = new StringBuilder(sb.length());
        int newlines = 0;
        for (int i = 0; i < sb.length(); i++) {
            char c = sb.charAt(i);
            if (c == '\n') {
                if (++newlines > 2) continue;
            } else {
                newlines = 0;
            }
            out.append(c);
        }
        return out.toString();
    }
}
