package plaudit.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The forum's readers, who turn gold into upvotes with noise and biases.
 *
 * <p>A thread gets a log-normal number of readers who arrive after the post (exponential delay, mean 6 h), so a
 * comment written early is seen by more of them. A reader sees the comments written before they arrived, sorted by
 * current score (ties: older first), and reads the one at rank {@code r} with probability {@code 0.4 * 0.8^r}
 * (halved for nested replies) — visible score buys attention. Reader {@code v} values comment {@code i} at
 * <pre>
 *   u = gold_i + charm_i + wLen_v * words_i / 30 + wHype_v * min(hype_i, 3)
 *       + herding * ln(1 + max(score_i - 1, 0)) - bar_v
 * </pre>
 * and with {@code y = u / T_v + logistic noise} votes up when {@code y > 1.5}, down when {@code y < -1.5}, else not
 * at all: each vote is a Bradley–Terry comparison of the comment against the reader's bar. Per reader, {@code wLen},
 * {@code wHype} and the temperature {@code T} are the config's means times log-normal factors, and {@code bar} is
 * normal — voters disagree. {@code charm_i} is normal, shared by all readers of the comment and unseen by gold: the
 * part of the noise that more votes do not average away. Post votes follow the same rule on the post's appeal.
 */
final class Voters {

    private static final double VIEW_DELAY_MEAN_S = 6 * 3600;
    private static final double UP_THRESHOLD = 1.5;
    private static final double DOWN_THRESHOLD = -1.5;
    /** Posts are downvoted less readily than comments (real posts have upvote ratios around 0.9). */
    private static final double POST_DOWN_THRESHOLD = -3.0;
    /** Chance that a reader reads (and may vote on) the top comment; each rank below multiplies it by the decay. */
    private static final double READ_TOP = 0.4;
    private static final double READ_DECAY = 0.8;

    private final ForumConfig config;
    private final double[] wLen, wHype, temperature, bar;

    Voters(ForumConfig config) {
        this.config = config;
        int n = config.voters();
        wLen = new double[n];
        wHype = new double[n];
        temperature = new double[n];
        bar = new double[n];
        SplittableRandom rng = new SplittableRandom(Draw.mix(config.seed(), -1));
        for (int v = 0; v < n; v++) {
            wLen[v] = config.lengthBias() * StrictMath.exp(0.5 * Draw.gaussian(rng) - 0.125);
            wHype[v] = config.hypeBias() * StrictMath.exp(0.5 * Draw.gaussian(rng) - 0.125);
            temperature[v] = config.voteNoise() * StrictMath.exp(0.3 * Draw.gaussian(rng) - 0.045);
            bar[v] = 0.3 * Draw.gaussian(rng);
        }
    }

    /** What readers judge a comment by. {@code votable} is false for the AutoModerator comment. */
    record Item(long createdUtc, boolean nested, boolean votable, double gold, int words, int hype) {}

    /** Votes cast on a thread: the post's and each item's (same order as the items; authors' own upvote included). */
    record Tally(int postUps, int postDowns, int[] ups, int[] downs) {}

    Tally vote(long postUtc, double postAppeal, List<Item> items, SplittableRandom rng) {
        double median = config.medianViewers();
        int readers = (int) Math.max(1, StrictMath.round(median * StrictMath.exp(0.8 * Draw.gaussian(rng))));
        long[] arrivals = new long[readers];
        for (int i = 0; i < readers; i++) arrivals[i] = postUtc + (long) Draw.exponential(rng, VIEW_DELAY_MEAN_S);
        Arrays.sort(arrivals);

        // A comment's charm: what every reader likes or dislikes about it that gold does not see (wit, timing,
        // the author's name). Unlike a vote's own noise, it does not average out over readers.
        double[] charm = new double[items.size()];
        for (int i = 0; i < charm.length; i++) charm[i] = config.charm() * Draw.gaussian(rng);
        int[] ups = new int[items.size()];
        int[] downs = new int[items.size()];
        Arrays.fill(ups, 1);
        int postUps = 1, postDowns = 0;
        List<Integer> visible = new ArrayList<>();
        Comparator<Integer> byScore = Comparator.<Integer>comparingInt(i -> -(ups[i] - downs[i]))
                .thenComparingLong(i -> items.get(i).createdUtc()).thenComparingInt(i -> i);
        for (long t : arrivals) {
            int v = rng.nextInt(wLen.length);
            double y = (postAppeal - bar[v]) / temperature[v] + Draw.logistic(rng);
            if (y > UP_THRESHOLD) postUps++;
            else if (y < POST_DOWN_THRESHOLD) postDowns++;

            visible.clear();
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                if (it.votable() && it.createdUtc() < t) visible.add(i);
            }
            visible.sort(byScore);
            for (int rank = 0; rank < visible.size(); rank++) {
                int i = visible.get(rank);
                Item it = items.get(i);
                double read = READ_TOP * StrictMath.pow(READ_DECAY, rank) * (it.nested() ? 0.5 : 1.0);
                if (rng.nextDouble() >= read) continue;
                int vote = vote(v, it, charm[i], ups[i] - downs[i], rng);
                if (vote > 0) ups[i]++;
                else if (vote < 0) downs[i]++;
            }
        }
        return new Tally(postUps, postDowns, ups, downs);
    }

    /**
     * Net votes (ups − downs) on each item from {@code readers} readers drawn from the panel, every one of whom reads
     * every item on its own: no ranking, no visible score, so no herding. How the forum's readers judge replies shown
     * to them one at a time, e.g. a model's replies ({@link ReplyVotes}). Each item's charm is drawn as on the forum.
     */
    int[] judge(List<Item> items, int readers, SplittableRandom rng) {
        int[] net = new int[items.size()];
        for (int i = 0; i < net.length; i++) {
            double charm = config.charm() * Draw.gaussian(rng);
            for (int r = 0; r < readers; r++) net[i] += vote(rng.nextInt(wLen.length), items.get(i), charm, 1, rng);
        }
        return net;
    }

    /** Reader {@code v}'s vote on an item (+1, −1 or 0 for none) by the rule in the class comment. */
    private int vote(int v, Item it, double charm, int score, SplittableRandom rng) {
        double u = it.gold() + charm + wLen[v] * it.words() / GoldPreference.SWEET_SPOT_WORDS
                + wHype[v] * Math.min(it.hype(), 3)
                + config.herding() * StrictMath.log1p(Math.max(score - 1, 0)) - bar[v];
        double y = u / temperature[v] + Draw.logistic(rng);
        return y > UP_THRESHOLD ? 1 : y < DOWN_THRESHOLD ? -1 : 0;
    }
}
