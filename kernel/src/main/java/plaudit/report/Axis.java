package plaudit.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One plot axis: the data range it spans, the tick positions with their labels, and the mapping of a value to a
 * fraction of the axis length. Linear axes snap to "nice" bounds (multiples of 1, 2 or 5 times a power of ten,
 * Heckbert's "Nice numbers for graph labels", Graphics Gems 1990); log axes span the data and tick at decades.
 */
record Axis(double lo, double hi, boolean log, List<Double> ticks, List<String> labels) {
    private static final int TARGET_TICKS = 6;

    /** An axis covering [min, max] (finite, min <= max; positive when log). */
    static Axis of(double min, double max, boolean log) {
        return log ? logAxis(min, max) : linearAxis(min, max);
    }

    /** Where {@code v} lies along the axis: 0 at {@link #lo}, 1 at {@link #hi}. */
    double fraction(double v) {
        return log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
    }

    private static Axis linearAxis(double min, double max) {
        if (min == max) { // a flat series still gets a readable axis around its value
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        double step = nice((nice(max - min, false)) / (TARGET_TICKS - 1), true);
        double lo = Math.floor(min / step) * step, hi = Math.ceil(max / step) * step;
        List<Double> ticks = new ArrayList<>();
        for (long i = 0; lo + i * step <= hi + step * 1e-9; i++) ticks.add(lo + i * step);
        List<String> labels = new ArrayList<>();
        for (double t : ticks) labels.add(label(t, step));
        return new Axis(lo, hi, false, List.copyOf(ticks), List.copyOf(labels));
    }

    private static Axis logAxis(double min, double max) {
        if (min == max) {
            min /= Math.sqrt(10);
            max *= Math.sqrt(10);
        }
        int d0 = (int) Math.floor(Math.log10(min) + 1e-9), d1 = (int) Math.ceil(Math.log10(max) - 1e-9);
        double decades = Math.log10(max / min);
        // few decades: label 1, 2 and 5 of each; many: only every k-th decade so labels do not collide
        int[] mantissas = decades <= 2.5 ? new int[]{1, 2, 5} : new int[]{1};
        int every = Math.max(1, (int) Math.ceil(decades / (TARGET_TICKS + 2)));
        List<Double> ticks = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int d = d0; d <= d1; d++) {
            if (Math.floorMod(d, every) != 0) continue;
            for (int m : mantissas) {
                double t = m * Math.pow(10, d);
                if (t < min * (1 - 1e-9) || t > max * (1 + 1e-9)) continue;
                ticks.add(t);
                labels.add(d >= -3 && d <= 5 ? plain(new BigDecimal(m).scaleByPowerOfTen(d)) : m + "e" + d);
            }
        }
        return new Axis(min, max, true, List.copyOf(ticks), List.copyOf(labels));
    }

    /** The "nice" number (1, 2, 5 or 10 times a power of ten) nearest to x (round) or at least x (ceiling). */
    static double nice(double x, boolean round) {
        double exp = Math.floor(Math.log10(x)), f = x / Math.pow(10, exp), nf;
        if (round) nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        else nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nf * Math.pow(10, exp);
    }

    /** A tick label with just the decimals the step needs: 0.25 → "0.25" for step 0.05, 1500 → "1500". */
    static String label(double v, double step) {
        int decimals = (int) Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
        double mag = Math.max(Math.abs(v), step);
        if (Math.abs(v) < step * 1e-9) return "0";
        if (decimals > 4 || mag >= 1e6) { // scientific, with as many digits as the step resolves: 1.25e-5, 3.0e6
            int digits = (int) (Math.floor(Math.log10(mag)) - Math.floor(Math.log10(step) + 1e-9));
            String s = String.format(Locale.ROOT, "%." + Math.max(0, digits) + "e", v);
            return s.replaceFirst("e\\+?(-?)0*(\\d)", "e$1$2");
        }
        BigDecimal b = BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_EVEN);
        return b.signum() == 0 ? "0" : b.toPlainString();
    }

    private static String plain(BigDecimal b) {
        return b.round(MathContext.DECIMAL64).stripTrailingZeros().toPlainString();
    }
}
