package plaudit.text;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Python's {@code str} methods for Jinjava ({@code message.content.startswith('<tool_response>')},
 * {@code content.split('</think>')[-1].lstrip('\n')}, as chat templates call them): an EL resolver consulted before
 * Jinjava's own, for method calls on strings only. Any other method called on a string (a Python one not here, or a
 * Java one such as {@code toUpperCase}) is refused by name rather than evaluated as Java or as nothing.
 *
 * <p>Also {@code text[i]}, a character of a string. Whitespace (strip, split with no argument) is Python's {@code str.isspace}: Java's whitespace plus the
 * non-breaking spaces and U+0085.
 */
final class PythonStrMethods extends ELResolver {
    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || !(method instanceof String name)) return null;
        Object[] args = params == null ? new Object[0] : params;
        Object result = switch (name) {
            case "startswith" -> affix(s, name, args, true);
            case "endswith" -> affix(s, name, args, false);
            case "strip" -> strip(s, chars(name, args), true, true);
            case "lstrip" -> strip(s, chars(name, args), true, false);
            case "rstrip" -> strip(s, chars(name, args), false, true);
            case "split" -> split(s, args);
            case "replace" -> {
                arity(name, args, 2, 2);
                yield s.replace(text(name, args[0]), text(name, args[1]));
            }
            case "upper" -> {
                arity(name, args, 0, 0);
                yield s.toUpperCase(Locale.ROOT);
            }
            case "lower" -> {
                arity(name, args, 0, 0);
                yield s.toLowerCase(Locale.ROOT);
            }
            case "join" -> {
                arity(name, args, 1, 1);
                if (!(args[0] instanceof Iterable<?> items)) throw new PythonJinja.Refusal("str.join() needs a list, not " + args[0]);
                List<String> parts = new ArrayList<>();
                for (Object item : items) parts.add(text(name, item));
                yield String.join(s, parts);
            }
            default -> throw new PythonJinja.Refusal("the string method ." + name + "() is not supported (Python's str methods here: "
                    + "startswith, endswith, strip, lstrip, rstrip, split, replace, upper, lower, join)");
        };
        context.setPropertyResolved(true);
        return result;
    }

    private static boolean affix(String s, String name, Object[] args, boolean prefix) {
        arity(name, args, 1, 1);
        // one string, or a tuple (a list to Jinjava) of them: true when any matches
        List<?> candidates = args[0] instanceof List<?> list ? list : List.of(text(name, args[0]));
        for (Object c : candidates) {
            String affix = text(name, c);
            if (prefix ? s.startsWith(affix) : s.endsWith(affix)) return true;
        }
        return false;
    }

    /** The characters to strip; null for whitespace. */
    private static String chars(String name, Object[] args) {
        arity(name, args, 0, 1);
        return args.length == 0 || args[0] == null ? null : text(name, args[0]);
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int begin = 0, end = s.length();
        while (left && begin < end && strips(s.codePointAt(begin), chars)) begin += Character.charCount(s.codePointAt(begin));
        while (right && end > begin && strips(s.codePointBefore(end), chars)) end -= Character.charCount(s.codePointBefore(end));
        return s.substring(begin, end);
    }

    private static boolean strips(int c, String chars) {
        return chars == null ? isSpace(c) : chars.codePoints().anyMatch(x -> x == c);
    }

    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    /** {@code split()} on whitespace runs (no empty parts), {@code split(sep[, maxsplit])} on each sep. */
    static List<String> split(String s, Object[] args) {
        arity("split", args, 0, 2);
        String sep = args.length == 0 || args[0] == null ? null : text("split", args[0]);
        int max = args.length < 2 ? -1 : ((Number) args[1]).intValue();
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0, n = s.length();
            while (true) {
                while (i < n && isSpace(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
                if (i >= n) break;
                if (max >= 0 && parts.size() == max) {
                    // Python keeps the remainder as it is, less the leading whitespace
                    parts.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.codePointAt(j))) j += Character.charCount(s.codePointAt(j));
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        if (sep.isEmpty()) throw new PythonJinja.Refusal("str.split(): empty separator");
        int from = 0, at;
        while ((max < 0 || parts.size() < max) && (at = s.indexOf(sep, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static void arity(String name, Object[] args, int min, int max) {
        if (args.length < min || args.length > max) {
            throw new PythonJinja.Refusal("str." + name + "() takes " + (min == max ? String.valueOf(min) : min + " to " + max)
                    + " arguments here, got " + args.length);
        }
    }

    private static String text(String name, Object arg) {
        if (!(arg instanceof String s)) throw new PythonJinja.Refusal("str." + name + "() needs a string argument, got " + Objects.toString(arg));
        return s;
    }

    /** {@code text[i]}: the i-th character (from the end when negative), as Python indexes a str; Jinjava has none. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        // Jinjava passes the index as text
        if (!(base instanceof String s) || property == null || !property.toString().matches("-?\\d{1,9}")) return null;
        int[] codePoints = s.codePoints().toArray();
        int i = Integer.parseInt(property.toString());
        if (i < -codePoints.length || i >= codePoints.length) throw new PythonJinja.Refusal("string index " + i + " out of range");
        context.setPropertyResolved(true);
        return new String(codePoints, i < 0 ? i + codePoints.length : i, 1);
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
