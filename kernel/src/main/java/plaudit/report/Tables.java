package plaudit.report;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

import java.util.Locale;
import java.util.stream.IntStream;

/** Table views for reading: fewer rows, fewer digits. */
public final class Tables {
    private Tables() {
    }

    /** Every {@code k}-th row (and the last), keeping only {@code columns}: a loss curve that fits a screen. */
    public static Table every(Table t, int k, String... columns) {
        int n = t.rowCount();
        int[] rows = IntStream.range(0, n).filter(i -> (i + 1) % k == 0 || i == n - 1).toArray();
        return readable(t.selectColumns(columns).rows(rows).setName(t.name()));
    }

    /** Prints double columns with 4 significant digits (whole numbers without decimals); returns the same table. */
    public static Table readable(Table t) {
        for (Column<?> c : t.columns()) {
            if (c instanceof DoubleColumn d) d.setPrintFormatter(SIGNIFICANT);
        }
        return t;
    }

    /** 4 significant digits, like a metrics dashboard; NaN shows as empty. */
    public static String format(double v) {
        if (Double.isNaN(v)) return "";
        if (v == Math.rint(v) && Math.abs(v) < 1e9) return Long.toString((long) v);
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e6)) return String.format(Locale.ROOT, "%.3e", v);
        String s = String.format(Locale.ROOT, "%.4g", v);
        if (s.contains(".") && !s.contains("e")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s;
    }

    private static final NumberColumnFormatter SIGNIFICANT = new NumberColumnFormatter() {
        @Override
        public String format(double value) {
            return Tables.format(value);
        }
    };
}
