package plaudit.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Counts and voter-bias figures of a generated forum, written to {@code forum_meta.json}.
 *
 * <p>The correlations are Spearman rank correlations over live, human, top-level comments: they show the voters'
 * designed biases, e.g. {@code scoreVsWords} above {@code goldVsWords} means voters reward length more than gold does.
 */
public record ForumStats(int threads, int postsDeleted, int postsRemoved, int postsBelow10, double medianPostScore,
                         int comments, int topLevel, int nested, int automod, int deleted, int removed, int edited,
                         int bySubmitter, double meanWords, double meanGold, double scoreVsGold, double scoreVsWords,
                         double goldVsWords, double scoreVsHype, double goldVsHype) {

    public static ForumStats of(Forum forum) {
        GoldPreference gold = new GoldPreference();
        int postsDeleted = 0, postsRemoved = 0, below10 = 0;
        int comments = 0, top = 0, nested = 0, automod = 0, deleted = 0, removed = 0, edited = 0, op = 0;
        double[] postScores = new double[forum.threads().size()];
        List<double[]> rows = new ArrayList<>(); // score, gold, words, hype
        for (int t = 0; t < forum.threads().size(); t++) {
            ForumThread thread = forum.threads().get(t);
            Post p = thread.post();
            postScores[t] = p.score();
            if (p.status() == Post.Status.DELETED) postsDeleted++;
            if (p.status() == Post.Status.REMOVED) postsRemoved++;
            if (p.score() < NoiseCeiling.MIN_POST_SCORE) below10++;
            if (p.editedUtc() >= 0) edited++;
            for (Comment c : thread.comments()) {
                comments++;
                if (c.automod()) automod++;
                else if (c.topLevel()) top++;
                else nested++;
                if (c.status() == Post.Status.DELETED) deleted++;
                if (c.status() == Post.Status.REMOVED) removed++;
                if (c.editedUtc() >= 0) edited++;
                if (c.bySubmitter()) op++;
                if (c.topLevel() && !c.automod() && c.status() == Post.Status.LIVE) {
                    GoldPreference.Terms terms = gold.terms(p.prompt(), c.text());
                    rows.add(new double[] {c.score(), c.gold(), terms.words(), terms.hypeWords()});
                }
            }
        }
        double[] score = column(rows, 0), g = column(rows, 1), words = column(rows, 2), hype = column(rows, 3);
        Arrays.sort(postScores);
        double median = postScores.length == 0 ? Double.NaN : postScores[postScores.length / 2];
        return new ForumStats(forum.threads().size(), postsDeleted, postsRemoved, below10, median, comments, top,
                nested, automod, deleted, removed, edited, op, mean(words), mean(g), spearman(score, g),
                spearman(score, words), spearman(g, words), spearman(score, hype), spearman(g, hype));
    }

    private static double[] column(List<double[]> rows, int k) {
        return rows.stream().mapToDouble(r -> r[k]).toArray();
    }

    private static double mean(double[] x) {
        return Arrays.stream(x).average().orElse(Double.NaN);
    }

    /** Spearman's rho: Pearson correlation of the ranks, ties given their average rank. */
    static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    static double pearson(double[] x, double[] y) {
        double mx = mean(x), my = mean(y), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    static double[] ranks(double[] x) {
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < x.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; ) {
            int j = i;
            while (j + 1 < x.length && x[order[j + 1]] == x[order[i]]) j++;
            for (int k = i; k <= j; k++) r[order[k]] = (i + j) / 2.0;
            i = j + 1;
        }
        return r;
    }
}
