package plaudit.run;

import tech.tablesaw.api.Table;

/** Small table views for the terminal. */
final class Tables {
    private Tables() {
    }

    /** Every {@code k}-th row (and the last), keeping only {@code columns}: a loss curve that fits a screen. */
    static Table every(Table t, int k, String... columns) {
        int n = t.rowCount();
        int[] rows = java.util.stream.IntStream.range(0, n).filter(i -> (i + 1) % k == 0 || i == n - 1).toArray();
        return t.selectColumns(columns).rows(rows).setName(t.name());
    }
}
