package plaudit.report;

import plaudit.report.Plot.Reference;
import plaudit.report.Plot.Series;
import plaudit.report.Plot.Style;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static plaudit.report.XmlText.escape;

/**
 * Renders a {@link Plot} as a standalone SVG document, with no plotting library: axes with readable ticks
 * ({@link Axis}), a legend that takes the width it needs, lines that break at gaps, and a note on what was left out.
 */
final class PlotSvg {
    // Tableau 10: distinguishable, and colour-blind friendlier than the SVG named colours
    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
            "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    private static final String[] DASHES = {"6 4", "2 3", "10 3 2 3"};
    private static final double CHAR_WIDTH = 6.6; // average advance of a 12px sans-serif glyph, for layout only
    private static final double POINT_RADIUS = 3;

    private final String title, xLabel, yLabel;
    private final List<Series> series;
    private final List<Reference> references;
    private final boolean logX;
    private final int width, height;

    PlotSvg(Plot p) {
        this.title = p.title;
        this.xLabel = p.xLabel;
        this.yLabel = p.yLabel;
        this.series = p.series;
        this.references = p.references;
        this.logX = p.logX;
        this.width = p.width;
        this.height = p.height;
    }

    /** The plot as a standalone SVG document (UTF-8 text, no XML prolog so it can also be inlined in HTML). */
    String render() {
        // 1. what can be drawn, and the data range it spans
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        int infinite = 0, nonPositive = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                double x = s.x()[i], y = s.y()[i];
                if (Double.isNaN(x) || Double.isNaN(y)) continue;
                if (Double.isInfinite(x) || Double.isInfinite(y)) infinite++;
                else if (logX && x <= 0) nonPositive++;
                else {
                    xMin = Math.min(xMin, x); xMax = Math.max(xMax, x);
                    yMin = Math.min(yMin, y); yMax = Math.max(yMax, y);
                }
            }
        }
        for (Reference r : references) {
            yMin = Math.min(yMin, r.y());
            yMax = Math.max(yMax, r.y());
        }
        if (xMin > xMax) { xMin = logX ? 1 : 0; xMax = logX ? 10 : 1; }
        if (yMin > yMax) { yMin = 0; yMax = 1; }
        Axis xa = Axis.of(xMin, xMax, logX), ya = Axis.of(yMin, yMax, false);

        // 2. layout: y tick labels and the legend take the width they need, the plot area gets the rest
        int legendChars = 0;
        for (Series s : series) legendChars = Math.max(legendChars, s.name().length());
        for (Reference r : references) legendChars = Math.max(legendChars, r.label().length());
        int yTickChars = ya.labels().stream().mapToInt(String::length).max().orElse(1);
        double left = 14 + (yLabel.isEmpty() ? 0 : 18) + yTickChars * CHAR_WIDTH;
        double legendWidth = legendChars == 0 ? 0 : Math.min(width / 3.0, 40 + legendChars * CHAR_WIDTH);
        double right = width - 16 - legendWidth;
        double top = title.isEmpty() ? 14 : 36;
        String note = skippedNote(infinite, nonPositive);
        double bottom = height - 30 - (xLabel.isEmpty() ? 0 : 18) - (note.isEmpty() ? 0 : 16);
        double pw = right - left, ph = bottom - top;

        StringBuilder svg = new StringBuilder(4096);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
           .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
           .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"); // readable on dark notebook themes
        if (!title.isEmpty()) text(svg, width / 2.0, 22, "middle", "font-size=\"14\" font-weight=\"bold\"", title);

        // 3. grid, ticks and axis labels
        svg.append("<g class=\"grid\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n");
        for (double t : xa.ticks()) {
            double px = left + xa.fraction(t) * pw;
            svg.append("<line x1=\"").append(f(px)).append("\" y1=\"").append(f(top)).append("\" x2=\"").append(f(px))
               .append("\" y2=\"").append(f(bottom)).append("\"/>\n");
        }
        for (double t : ya.ticks()) {
            double py = bottom - ya.fraction(t) * ph;
            svg.append("<line x1=\"").append(f(left)).append("\" y1=\"").append(f(py)).append("\" x2=\"").append(f(right))
               .append("\" y2=\"").append(f(py)).append("\"/>\n");
        }
        svg.append("</g>\n<g class=\"axes\" fill=\"#333\">\n");
        svg.append("<path d=\"M").append(f(left)).append(' ').append(f(top)).append("V").append(f(bottom))
           .append("H").append(f(right)).append("\" fill=\"none\" stroke=\"#888\"/>\n");
        for (int i = 0; i < xa.ticks().size(); i++) {
            text(svg, left + xa.fraction(xa.ticks().get(i)) * pw, bottom + 16, "middle", "", xa.labels().get(i));
        }
        for (int i = 0; i < ya.ticks().size(); i++) {
            text(svg, left - 6, bottom - ya.fraction(ya.ticks().get(i)) * ph + 4, "end", "", ya.labels().get(i));
        }
        if (!xLabel.isEmpty()) text(svg, left + pw / 2, bottom + 36, "middle", "", xLabel + (logX ? " (log scale)" : ""));
        if (!yLabel.isEmpty()) {
            double cx = 16, cy = top + ph / 2;
            text(svg, cx, cy, "middle", "transform=\"rotate(-90 " + f(cx) + ' ' + f(cy) + ")\"", yLabel);
        }
        if (!note.isEmpty()) text(svg, left, height - 8, "start", "fill=\"#a33\"", note);
        svg.append("</g>\n");

        // 4. reference lines, then the series on top
        for (int i = 0; i < references.size(); i++) {
            Reference r = references.get(i);
            double py = bottom - ya.fraction(r.y()) * ph;
            svg.append("<g class=\"reference\"><title>").append(escape(r.label())).append("</title><line x1=\"").append(f(left))
               .append("\" y1=\"").append(f(py)).append("\" x2=\"").append(f(right)).append("\" y2=\"").append(f(py))
               .append("\" stroke=\"#555\" stroke-width=\"1.25\" stroke-dasharray=\"").append(DASHES[i % DASHES.length])
               .append("\"/></g>\n");
        }
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String color = COLORS[i % COLORS.length];
            svg.append("<g class=\"series\"><title>").append(escape(s.name())).append("</title>\n");
            if (s.style() != Style.POINTS) {
                svg.append("<path class=\"line\" d=\"").append(linePath(s, xa, ya, left, bottom, pw, ph))
                   .append("\" fill=\"none\" stroke=\"").append(color)
                   .append("\" stroke-width=\"1.75\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n");
            }
            if (s.style() != Style.LINE) {
                svg.append("<path class=\"points\" d=\"").append(pointsPath(s, xa, ya, left, bottom, pw, ph))
                   .append("\" fill=\"").append(color).append("\"/>\n");
            }
            svg.append("</g>\n");
        }

        // 5. legend, right of the plot area
        double lx = right + 14, ly = top + 6;
        svg.append("<g class=\"legend\">\n");
        for (int i = 0; i < series.size(); i++, ly += 18) {
            Series s = series.get(i);
            String color = COLORS[i % COLORS.length];
            if (s.style() != Style.POINTS) {
                svg.append("<line x1=\"").append(f(lx)).append("\" y1=\"").append(f(ly)).append("\" x2=\"").append(f(lx + 20))
                   .append("\" y2=\"").append(f(ly)).append("\" stroke=\"").append(color).append("\" stroke-width=\"1.75\"/>");
            }
            if (s.style() != Style.LINE) {
                svg.append("<circle cx=\"").append(f(lx + 10)).append("\" cy=\"").append(f(ly)).append("\" r=\"")
                   .append(f(POINT_RADIUS)).append("\" fill=\"").append(color).append("\"/>");
            }
            text(svg, lx + 26, ly + 4, "start", "", s.name());
        }
        for (int i = 0; i < references.size(); i++, ly += 18) {
            svg.append("<line x1=\"").append(f(lx)).append("\" y1=\"").append(f(ly)).append("\" x2=\"").append(f(lx + 20))
               .append("\" y2=\"").append(f(ly)).append("\" stroke=\"#555\" stroke-width=\"1.25\" stroke-dasharray=\"")
               .append(DASHES[i % DASHES.length]).append("\"/>");
            text(svg, lx + 26, ly + 4, "start", "", references.get(i).label());
        }
        svg.append("</g>\n</svg>\n");
        return svg.toString();
    }

    private boolean drawable(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y) && !(logX && x <= 0);
    }

    /** "M x y L x y …", starting a new sub-path after every gap; a lone point becomes a dot (round cap, zero length). */
    private String linePath(Series s, Axis xa, Axis ya, double left, double bottom, double pw, double ph) {
        StringBuilder d = new StringBuilder();
        int run = 0;
        for (int i = 0; i <= s.x().length; i++) {
            boolean ok = i < s.x().length && drawable(s.x()[i], s.y()[i]);
            if (!ok) {
                if (run == 1) d.append("h0");
                run = 0;
                continue;
            }
            d.append(run == 0 ? (d.length() == 0 ? "M" : " M") : " L")
             .append(f(left + xa.fraction(s.x()[i]) * pw)).append(' ').append(f(bottom - ya.fraction(s.y()[i]) * ph));
            run++;
        }
        return d.toString();
    }

    /** One circle per point, as two arcs, so a series' markers are a single path element. */
    private String pointsPath(Series s, Axis xa, Axis ya, double left, double bottom, double pw, double ph) {
        StringBuilder d = new StringBuilder();
        String r = f(POINT_RADIUS), dia = f(2 * POINT_RADIUS);
        for (int i = 0; i < s.x().length; i++) {
            if (!drawable(s.x()[i], s.y()[i])) continue;
            double px = left + xa.fraction(s.x()[i]) * pw, py = bottom - ya.fraction(s.y()[i]) * ph;
            if (d.length() > 0) d.append(' ');
            d.append('M').append(f(px - POINT_RADIUS)).append(' ').append(f(py))
             .append("a").append(r).append(' ').append(r).append(" 0 1 0 ").append(dia).append(" 0")
             .append("a").append(r).append(' ').append(r).append(" 0 1 0 -").append(dia).append(" 0Z");
        }
        return d.toString();
    }

    private static String skippedNote(int infinite, int nonPositive) {
        List<String> parts = new ArrayList<>();
        if (infinite > 0) parts.add(infinite + (infinite == 1 ? " infinite value" : " infinite values"));
        if (nonPositive > 0) parts.add(nonPositive + (nonPositive == 1 ? " point" : " points") + " with x ≤ 0 (log x)");
        return parts.isEmpty() ? "" : "not shown: " + String.join(", ", parts);
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String attrs, String s) {
        svg.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" text-anchor=\"").append(anchor).append('"');
        if (!attrs.isEmpty()) svg.append(' ').append(attrs);
        svg.append('>').append(escape(s)).append("</text>\n");
    }

    /** Pixel coordinates with two decimals: sub-pixel precision without 17-digit doubles in the file. */
    private static String f(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        if (s.endsWith(".00")) s = s.substring(0, s.length() - 3);
        return s.equals("-0") ? "0" : s;
    }
}
