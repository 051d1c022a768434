package plaudit.sim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import plaudit.UserError;

/**
 * Every knob of the synthetic forum. Immutable; build one with {@link #builder()}, whose defaults are listed here.
 *
 * @param threads          number of posts (threads) to generate; default 1000
 * @param seed             random seed; the same config gives byte-identical output; default 1
 * @param startUtc         epoch second of the first post; default 1609459200 (2021-01-01T00:00:00Z)
 * @param days             the posts are spread evenly over this many days; default 30
 * @param minComments      fewest comments per thread (AutoModerator excluded); default 2
 * @param maxComments      most comments per thread; counts are skewed towards the low end (u^2); default 20
 * @param topicWeights     relative share of posts per subreddit (subreddit → weight, missing = 0); default: every
 *                         topic of {@link ForumLanguage#standard()} with weight 1
 * @param nestedShare      share of comments that reply to another comment ({@code parent_id = t1_…}); default 0.25
 * @param opReplyShare     share of nested replies written by the post's author; default 0.15
 * @param voters           size of the voter pool; each voter has its own noise and biases; default 5000
 * @param medianViewers    median number of readers per thread (log-normal, sigma 0.8); default 120
 * @param voteNoise        voters' mean temperature: utility is divided by it before the logistic vote noise; larger
 *                         means noisier votes; default 1.5
 * @param charm            sd of each comment's charm, a utility shift all its readers share and gold ignores; the
 *                         main lever on the noise ceiling (docs/data.md); default 1.0
 * @param lengthBias       voters' mean extra utility per 30 words of a comment (gold has a sweet spot instead);
 *                         default 1.5
 * @param hypeBias         voters' mean extra utility per hype word (up to 3; gold penalises hype); default 0.8
 * @param herding          extra utility per ln(1 + visible score): rich get richer; default 0.25
 * @param deletedShare     share of comments later deleted by their author (body and author {@code [deleted]});
 *                         default 0.03
 * @param removedShare     share of comments removed by moderators (body {@code [removed]}); default 0.02
 * @param automodShare     share of threads with a stickied AutoModerator comment; default 0.15
 * @param editedShare      share of posts and comments edited later ({@code edited} holds a timestamp); default 0.05
 * @param postDeletedShare share of posts deleted or removed (selftext {@code [deleted]} / {@code [removed]});
 *                         default 0.03
 * @param timeFormat       how {@code created_utc} is written; default {@link TimeFormat#MIXED}
 */
public record ForumConfig(int threads, long seed, long startUtc, int days, int minComments, int maxComments,
                          Map<String, Double> topicWeights, double nestedShare, double opReplyShare, int voters,
                          double medianViewers, double voteNoise, double charm, double lengthBias, double hypeBias,
                          double herding, double deletedShare, double removedShare, double automodShare,
                          double editedShare, double postDeletedShare, TimeFormat timeFormat) {

    /** How timestamps are written: real dumps use an int in most years, a float in 2024, a string in some. */
    public enum TimeFormat {
        /** {@code 1609459200} */
        INT,
        /** {@code 1609459200.0} */
        FLOAT,
        /** {@code "1609459200"} */
        STRING,
        /** int or string, chosen per line, as in files that span several eras */
        MIXED
    }

    public ForumConfig {
        topicWeights = inLanguageOrder(topicWeights == null ? Map.of() : topicWeights);
        check(threads >= 1, "threads", threads, "at least 1");
        check(days >= 1, "days", days, "at least 1");
        check(startUtc >= 0, "start", startUtc, "an epoch second >= 0");
        check(minComments >= 0, "min-comments", minComments, ">= 0");
        check(maxComments >= minComments, "max-comments", maxComments, ">= min-comments (" + minComments + ")");
        check(maxComments <= 500, "max-comments", maxComments, "<= 500");
        check(voters >= 1, "voters", voters, "at least 1");
        check(medianViewers > 0, "median-viewers", medianViewers, "> 0");
        check(voteNoise > 0, "vote-noise", voteNoise, "> 0");
        check(charm >= 0 && Double.isFinite(charm), "charm", charm, ">= 0");
        check(Double.isFinite(lengthBias), "length-bias", lengthBias, "a finite number");
        check(Double.isFinite(hypeBias), "hype-bias", hypeBias, "a finite number");
        check(Double.isFinite(herding), "herding", herding, "a finite number");
        share("nested", nestedShare);
        share("op-replies", opReplyShare);
        share("deleted", deletedShare);
        share("removed", removedShare);
        share("automod", automodShare);
        share("edited", editedShare);
        share("post-deleted", postDeletedShare);
        check(deletedShare + removedShare <= 1, "deleted + removed", deletedShare + removedShare, "<= 1");
        check(timeFormat != null, "time-format", null, "one of INT, FLOAT, STRING, MIXED");
        double total = 0;
        for (var e : topicWeights.entrySet()) {
            check(e.getValue() >= 0 && Double.isFinite(e.getValue()), "topics." + e.getKey(), e.getValue(), ">= 0");
            total += e.getValue();
        }
        check(total > 0, "topics", topicWeights, "at least one topic with a positive weight");
    }

    /** The weights keyed in the language's topic order, so that iteration (and the meta file) is deterministic. */
    private static Map<String, Double> inLanguageOrder(Map<String, Double> weights) {
        ForumLanguage lang = ForumLanguage.standard();
        for (String k : weights.keySet()) {
            if (lang.topic(k) == null) {
                throw new UserError("forum config: unknown topic '" + k + "' in topics; known: "
                        + lang.topics().stream().map(Topic::subreddit).toList());
            }
        }
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (Topic t : lang.topics()) {
            if (weights.containsKey(t.subreddit())) ordered.put(t.subreddit(), weights.get(t.subreddit()));
        }
        return Collections.unmodifiableMap(ordered);
    }

    private static void share(String key, double v) {
        check(v >= 0 && v <= 1, key, v, "a share in [0, 1]");
    }

    private static void check(boolean ok, String key, Object value, String expected) {
        if (!ok) throw new UserError("forum config: " + key + " = " + value + " is invalid; expected " + expected);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.threads = threads; b.seed = seed; b.startUtc = startUtc; b.days = days;
        b.minComments = minComments; b.maxComments = maxComments; b.topicWeights = new LinkedHashMap<>(topicWeights);
        b.nestedShare = nestedShare; b.opReplyShare = opReplyShare; b.voters = voters;
        b.medianViewers = medianViewers; b.voteNoise = voteNoise; b.charm = charm;
        b.lengthBias = lengthBias; b.hypeBias = hypeBias;
        b.herding = herding; b.deletedShare = deletedShare; b.removedShare = removedShare;
        b.automodShare = automodShare; b.editedShare = editedShare; b.postDeletedShare = postDeletedShare;
        b.timeFormat = timeFormat;
        return b;
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private int threads = 1000;
        private long seed = 1;
        private long startUtc = 1_609_459_200L;
        private int days = 30;
        private int minComments = 2;
        private int maxComments = 20;
        private Map<String, Double> topicWeights = defaultTopics();
        private double nestedShare = 0.25;
        private double opReplyShare = 0.15;
        private int voters = 5000;
        private double medianViewers = 120;
        private double voteNoise = 1.5;
        private double charm = 1.0;
        private double lengthBias = 1.5;
        private double hypeBias = 0.8;
        private double herding = 0.25;
        private double deletedShare = 0.03;
        private double removedShare = 0.02;
        private double automodShare = 0.15;
        private double editedShare = 0.05;
        private double postDeletedShare = 0.03;
        private TimeFormat timeFormat = TimeFormat.MIXED;

        private static Map<String, Double> defaultTopics() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (Topic t : ForumLanguage.standard().topics()) m.put(t.subreddit(), 1.0);
            return m;
        }

        public Builder threads(int v) { threads = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder startUtc(long v) { startUtc = v; return this; }
        public Builder days(int v) { days = v; return this; }
        public Builder comments(int min, int max) { minComments = min; maxComments = max; return this; }
        public Builder topicWeights(Map<String, Double> v) { topicWeights = new LinkedHashMap<>(v); return this; }
        public Builder nestedShare(double v) { nestedShare = v; return this; }
        public Builder opReplyShare(double v) { opReplyShare = v; return this; }
        public Builder voters(int v) { voters = v; return this; }
        public Builder medianViewers(double v) { medianViewers = v; return this; }
        public Builder voteNoise(double v) { voteNoise = v; return this; }
        public Builder charm(double v) { charm = v; return this; }
        public Builder lengthBias(double v) { lengthBias = v; return this; }
        public Builder hypeBias(double v) { hypeBias = v; return this; }
        public Builder herding(double v) { herding = v; return this; }
        public Builder deletedShare(double v) { deletedShare = v; return this; }
        public Builder removedShare(double v) { removedShare = v; return this; }
        public Builder automodShare(double v) { automodShare = v; return this; }
        public Builder editedShare(double v) { editedShare = v; return this; }
        public Builder postDeletedShare(double v) { postDeletedShare = v; return this; }
        public Builder timeFormat(TimeFormat v) { timeFormat = v; return this; }

        public ForumConfig build() {
            return new ForumConfig(threads, seed, startUtc, days, minComments, maxComments, topicWeights, nestedShare,
                    opReplyShare, voters, medianViewers, voteNoise, charm, lengthBias, hypeBias, herding, deletedShare,
                    removedShare, automodShare, editedShare, postDeletedShare, timeFormat);
        }
    }
}
