package plaudit.report;

import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * A Tablesaw table as an HTML {@code <table>} (Tablesaw core has no HTML writer): for notebooks and report files.
 * Numbers are right-aligned and shown to 4 significant digits; a long table shows its first and last rows around a
 * "… N more rows" line, as pandas does.
 */
public final class HtmlTable {
    private static final MathContext FOUR_DIGITS = new MathContext(4);

    private HtmlTable() {}

    /** @param maxRows most data rows to show (head and tail); 0 shows only the header and the row count */
    public static String render(Table t, int maxRows) {
        if (maxRows < 0) throw new IllegalArgumentException("maxRows must be >= 0, was " + maxRows);
        int rows = t.rowCount(), cols = t.columnCount();
        int head = rows <= maxRows ? rows : (maxRows + 1) / 2, tail = rows <= maxRows ? 0 : maxRows / 2;
        StringBuilder h = new StringBuilder(1024);
        h.append("<table class=\"plaudit-table\">\n");
        if (!t.name().isEmpty()) h.append("<caption>").append(XmlText.escape(t.name())).append("</caption>\n");
        h.append("<thead><tr>");
        for (Column<?> c : t.columns()) {
            h.append("<th style=\"text-align:").append(align(c)).append("\">").append(XmlText.escape(c.name())).append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (int r = 0; r < head; r++) row(h, t, r);
        if (rows > maxRows) {
            int hidden = rows - head - tail;
            h.append("<tr><td colspan=\"").append(Math.max(1, cols)).append("\" style=\"text-align:center\">… ")
             .append(hidden).append(hidden == 1 ? " more row" : " more rows").append("</td></tr>\n");
        }
        for (int r = rows - tail; r < rows; r++) row(h, t, r);
        h.append("</tbody>\n</table>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, Table t, int r) {
        h.append("<tr>");
        for (Column<?> c : t.columns()) {
            h.append("<td style=\"text-align:").append(align(c)).append("\">").append(XmlText.escape(cell(c, r))).append("</td>");
        }
        h.append("</tr>\n");
    }

    private static String align(Column<?> c) {
        return c instanceof NumericColumn ? "right" : "left";
    }

    private static String cell(Column<?> c, int r) {
        if (c.isMissing(r)) return "";
        if (c instanceof NumericColumn<?> n) return number(n.getDouble(r));
        return c.getString(r);
    }

    /**
     * 4 significant digits, plain between 1e-4 and 1e6 (0.0123, 1235, 0.5), otherwise scientific (1.235e-05).
     * Integers up to 1e6 stay exact, since step counts and token counts are read as integers.
     */
    static String number(double v) {
        if (Double.isNaN(v)) return "";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e6) {
            if (v == Math.rint(v)) return Long.toString((long) v);
            return new BigDecimal(v).round(FOUR_DIGITS).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.3e", v).replaceFirst("\\.?0*e", "e");
    }
}
