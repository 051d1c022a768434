package plaudit.data;

import plaudit.UserError;

import java.util.Locale;

/**
 * Deterministic train/val/test assignment by thread: the split is a function of (seed, thread id) alone, so every
 * comparison from one thread lands in the same split (no thread leaks from train into test), the assignment does not
 * depend on reading order or on which other files were read, and re-running gives the same files.
 *
 * @param train fraction of threads in train (the three fractions sum to 1)
 * @param val   fraction in val
 * @param test  fraction in test
 * @param seed  changes the assignment; default 0
 */
public record SplitRule(double train, double val, double test, long seed) {
    public static final SplitRule DEFAULT = new SplitRule(0.90, 0.05, 0.05, 0);

    public SplitRule {
        if (!(train >= 0 && val >= 0 && test >= 0) || Math.abs(train + val + test - 1) > 1e-9) {
            throw new UserError(String.format(Locale.ROOT,
                    "split fractions must be non-negative and sum to 1, got %s/%s/%s", train, val, test));
        }
    }

    /** Parses "90,5,5" (percentages, or any non-negative weights; they are normalised). */
    public static SplitRule parse(String spec, long seed) {
        String[] parts = spec.split(",");
        if (parts.length != 3) throw new UserError("--split '" + spec + "': expected three numbers like 90,5,5");
        double[] w = new double[3];
        double sum = 0;
        for (int i = 0; i < 3; i++) {
            try {
                w[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UserError("--split '" + spec + "': '" + parts[i].trim() + "' is not a number");
            }
            if (!(w[i] >= 0) || Double.isInfinite(w[i])) throw new UserError("--split '" + spec + "': weights must be >= 0");
            sum += w[i];
        }
        if (sum <= 0) throw new UserError("--split '" + spec + "': at least one weight must be positive");
        double train = w[0] / sum;
        double val = w[1] / sum;
        return new SplitRule(train, val, 1 - train - val, seed);
    }

    public Split assign(String threadId) {
        double u = (Hash64.mix(Hash64.of(threadId) ^ Hash64.mix(seed + 0x9e3779b97f4a7c15L)) >>> 11) * 0x1.0p-53;
        if (u < train) return Split.TRAIN;
        if (u < train + val) return Split.VAL;
        return Split.TEST;
    }
}
