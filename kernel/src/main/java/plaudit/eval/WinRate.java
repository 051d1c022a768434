package plaudit.eval;

import plaudit.train.Completions;

/**
 * How often a response of policy A beats one of policy B by a score (gold), ties counting half, over every pair of
 * their responses to the same prompt; both sides hold {@code perPrompt} responses to each prompt, prompt-major as
 * {@link Completions} orders them.
 */
public final class WinRate {
    private WinRate() {
    }

    /** The win rate of {@code a} over {@code b}: the mean over prompts of the per-prompt win rates. */
    public static double winRate(double[] a, double[] b, int perPrompt) {
        double sum = 0;
        for (double w : byPrompt(a, b, perPrompt)) sum += w;
        return sum / (a.length / perPrompt);
    }

    /**
     * The standard error of {@link #winRate}, with prompts as the independent units (the samples of one prompt are
     * not independent of each other): sd of the per-prompt win rates / √prompts. NaN with fewer than two prompts.
     */
    public static double winRateStandardError(double[] a, double[] b, int perPrompt) {
        double[] w = byPrompt(a, b, perPrompt);
        if (w.length < 2) return Double.NaN;
        double mean = 0, ss = 0;
        for (double x : w) mean += x / w.length;
        for (double x : w) ss += (x - mean) * (x - mean);
        return Math.sqrt(ss / (w.length - 1) / w.length);
    }

    private static double[] byPrompt(double[] a, double[] b, int perPrompt) {
        // both sides must hold perPrompt responses to each prompt, in the same prompt order: anything else would
        // compare responses to different prompts
        if (perPrompt < 1 || a.length != b.length || a.length % perPrompt != 0) {
            throw new IllegalArgumentException("win rate needs two equal-length score arrays of " + perPrompt
                    + " responses per prompt, got " + a.length + " and " + b.length);
        }
        double[] rate = new double[a.length / perPrompt];
        for (int q = 0; q < rate.length; q++) {
            double wins = 0;
            for (int i = q * perPrompt; i < (q + 1) * perPrompt; i++) {
                for (int j = q * perPrompt; j < (q + 1) * perPrompt; j++) wins += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
            }
            rate[q] = wins / ((double) perPrompt * perPrompt);
        }
        return rate;
    }
}
