package plaudit.report;

import plaudit.UserError;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A line / scatter plot, written as a standalone SVG document ({@link PlotSvg} draws it): the curves a user reads after
 * an RLHF run (reward, KL and gold score against step; gold score against KL for several methods).
 * <pre>{@code
 * Plot p = Plot.builder().title("Overoptimization").xLabel("KL").yLabel("gold reward")
 *         .linePoints("PPO", kl, gold).linePoints("best-of-n", klBon, goldBon)
 *         .reference("noise ceiling", 0.82)
 *         .build();
 * p.write(Path.of("gold-vs-kl.svg"));
 * }</pre>
 * A NaN in a series is a gap: lines break there. Infinite values, and values at or below zero on a log x axis, are
 * not drawn either, and the plot says how many it left out.
 */
public final class Plot {
    /** How a series is drawn. */
    public enum Style { LINE, POINTS, LINE_POINTS }

    record Series(String name, double[] x, double[] y, Style style) {}

    record Reference(String label, double y) {}

    final String title, xLabel, yLabel;
    final List<Series> series;
    final List<Reference> references;
    final boolean logX;
    final int width, height;

    private Plot(Builder b) {
        this.title = b.title;
        this.xLabel = b.xLabel;
        this.yLabel = b.yLabel;
        this.series = List.copyOf(b.series);
        this.references = List.copyOf(b.references);
        this.logX = b.logX;
        this.width = b.width;
        this.height = b.height;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this plot's settings, to derive a changed copy (e.g. add a reference line). */
    public Builder toBuilder() {
        Builder b = new Builder().title(title).xLabel(xLabel).yLabel(yLabel).logX(logX).size(width, height);
        b.series.addAll(series);
        b.references.addAll(references);
        return b;
    }

    /**
     * One line per y column against the x column, e.g. {@code Plot.lines(metrics, "step", "objective/kl")}; with no y
     * columns, every numeric column except x. Missing values are gaps. The title is the table's name.
     */
    public static Plot lines(Table t, String xColumn, String... yColumns) {
        double[] x = numeric(t, xColumn).asDoubleArray();
        List<String> ys = new ArrayList<>(Arrays.asList(yColumns));
        if (ys.isEmpty()) {
            for (Column<?> c : t.columns()) if (c instanceof NumericColumn && !c.name().equals(xColumn)) ys.add(c.name());
        }
        Builder b = builder().title(t.name()).xLabel(xColumn).yLabel(ys.size() == 1 ? ys.get(0) : "");
        for (String y : ys) b.line(y, x, numeric(t, y).asDoubleArray());
        return b.build();
    }

    private static NumericColumn<?> numeric(Table t, String name) {
        List<String> numericNames = t.columns().stream().filter(c -> c instanceof NumericColumn).map(Column::name).toList();
        if (!t.columnNames().contains(name)) {
            throw new UserError("table '" + t.name() + "' has no column '" + name + "'; numeric columns: " + numericNames);
        }
        if (!(t.column(name) instanceof NumericColumn<?> c)) {
            throw new UserError("column '" + name + "' of table '" + t.name() + "' is " + t.column(name).type()
                    + ", not numeric; plot one of " + numericNames);
        }
        return c;
    }

    public String title() {
        return title;
    }

    public void write(Path file) {
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            Files.writeString(file, toSvg(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot to " + file, e);
        }
    }

    /** The plot as a standalone SVG document (UTF-8 text, no XML prolog so it can also be inlined in HTML). */
    public String toSvg() {
        return new PlotSvg(this).render();
    }

    @Override
    public String toString() {
        return "Plot[" + title + ", " + series.size() + " series, " + references.size() + " reference lines]";
    }

    /** Collects a plot's settings; every setter returns the builder. Only the series are required (none is allowed). */
    public static final class Builder {
        private String title = "", xLabel = "", yLabel = "";
        private final List<Series> series = new ArrayList<>();
        private final List<Reference> references = new ArrayList<>();
        private boolean logX;
        private int width = 640, height = 400;

        private Builder() {}

        public Builder title(String title) {
            this.title = title == null ? "" : title;
            return this;
        }

        public Builder xLabel(String label) {
            this.xLabel = label == null ? "" : label;
            return this;
        }

        public Builder yLabel(String label) {
            this.yLabel = label == null ? "" : label;
            return this;
        }

        /** A series drawn as a line through its points in the given order. */
        public Builder line(String name, double[] x, double[] y) {
            return series(name, x, y, Style.LINE);
        }

        /** A series drawn as unconnected markers (a scatter plot). */
        public Builder points(String name, double[] x, double[] y) {
            return series(name, x, y, Style.POINTS);
        }

        /** A series drawn as markers joined by a line (e.g. one method's runs at increasing KL budgets). */
        public Builder linePoints(String name, double[] x, double[] y) {
            return series(name, x, y, Style.LINE_POINTS);
        }

        public Builder series(String name, double[] x, double[] y, Style style) {
            String n = name == null ? "" : name;
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + n + "': x has " + x.length + " values but y has " + y.length);
            }
            series.add(new Series(n, x.clone(), y.clone(), style));
            return this;
        }

        /** A dashed horizontal line at {@code y} (e.g. a noise ceiling or a baseline score), named in the legend. */
        public Builder reference(String label, double y) {
            if (!Double.isFinite(y)) throw new IllegalArgumentException("reference line '" + label + "' at y=" + y);
            references.add(new Reference(label == null ? "" : label, y));
            return this;
        }

        /** A logarithmic x axis (for KL budgets or sample counts spanning decades); x ≤ 0 is then not drawn. */
        public Builder logX(boolean logX) {
            this.logX = logX;
            return this;
        }

        /** Size of the whole image in pixels, legend included (default 640 × 400). */
        public Builder size(int width, int height) {
            if (width < 200 || height < 150) {
                throw new IllegalArgumentException("plot size " + width + "x" + height + " is too small; use at least 200x150");
            }
            this.width = width;
            this.height = height;
            return this;
        }

        public Plot build() {
            return new Plot(this);
        }
    }
}
