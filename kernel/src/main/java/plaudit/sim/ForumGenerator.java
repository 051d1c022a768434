package plaudit.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates the synthetic forum: posts in the {@link ForumLanguage}, replies of mixed {@link ReplyStyle}s, gold for
 * every reply ({@link GoldPreference} against the post's title and body) and upvotes from biased {@link Voters}.
 *
 * <p>Thread {@code i} draws everything from its own random stream, seeded from (seed, i), so a config always gives
 * the same forum and one thread does not shift the others.
 */
public final class ForumGenerator {

    private static final double TOP_LEVEL_DELAY_MEAN_S = 3 * 3600;
    private static final double NESTED_DELAY_MEAN_S = 1.5 * 3600;
    private static final double EDIT_DELAY_MEAN_S = 2 * 3600;
    /** Mean of the posts' appeal to readers (normal, sd 1): sets post scores, median about 20 with defaults. */
    private static final double POST_APPEAL_MEAN = 0.5;
    private static final String AUTOMOD = "AutoModerator";

    private final ForumConfig config;
    private final ForumLanguage lang = ForumLanguage.standard();
    private final TextGenerator text = new TextGenerator(lang);
    private final GoldPreference gold = new GoldPreference(lang);
    private final Voters voters;
    private final List<Topic> topics = new ArrayList<>();
    private final double[] topicCdf;

    public ForumGenerator(ForumConfig config) {
        this.config = config;
        this.voters = new Voters(config);
        double total = config.topicWeights().values().stream().mapToDouble(Double::doubleValue).sum();
        List<Double> cdf = new ArrayList<>();
        double acc = 0;
        for (var e : config.topicWeights().entrySet()) {
            if (e.getValue() <= 0) continue;
            topics.add(lang.topic(e.getKey()));
            acc += e.getValue() / total;
            cdf.add(acc);
        }
        topicCdf = cdf.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public Forum generate() {
        return generate(() -> {});
    }

    /** Generates every thread, calling {@code afterEachThread} after each one (for a progress bar). */
    public Forum generate(Runnable afterEachThread) {
        List<ForumThread> threads = new ArrayList<>(config.threads());
        for (int i = 0; i < config.threads(); i++) {
            threads.add(thread(i));
            afterEachThread.run();
        }
        return new Forum(config, threads);
    }

    /** A comment being written: its parent is an object because indices change when comments are sorted by time. */
    private static final class Draft {
        final Draft parent;
        final String text;
        final String author;
        final long createdUtc;
        final boolean automod;
        final boolean bySubmitter;

        Draft(Draft parent, String text, String author, long createdUtc, boolean automod, boolean bySubmitter) {
            this.parent = parent;
            this.text = text;
            this.author = author;
            this.createdUtc = createdUtc;
            this.automod = automod;
            this.bySubmitter = bySubmitter;
        }
    }

    ForumThread thread(int index) {
        SplittableRandom rng = new SplittableRandom(Draw.mix(config.seed(), index));
        Topic topic = topics.get(pick(topicCdf, rng.nextDouble()));
        TextGenerator.PostText pt = text.post(topic, rng);
        long span = config.days() * 86_400L;
        long postUtc = config.startUtc() + (long) ((index + rng.nextDouble()) * span / config.threads());
        String postAuthor = Authors.name(rng.nextInt(Authors.POOL));
        String prompt = pt.title() + "\n" + pt.body();

        List<Draft> drafts = new ArrayList<>();
        if (rng.nextDouble() < config.automodShare()) {
            drafts.add(new Draft(null, text.automod(rng), AUTOMOD, postUtc + 5 + rng.nextInt(55), true, false));
        }
        List<Draft> human = new ArrayList<>();
        double u = rng.nextDouble();
        int count = Math.min(config.maxComments(),
                config.minComments() + (int) ((config.maxComments() - config.minComments() + 1) * u * u));
        for (int j = 0; j < count; j++) {
            Draft d;
            if (!human.isEmpty() && rng.nextDouble() < config.nestedShare()) {
                Draft parent = human.get(rng.nextInt(human.size()));
                long created = parent.createdUtc + 20 + (long) Draw.exponential(rng, NESTED_DELAY_MEAN_S);
                boolean op = rng.nextDouble() < config.opReplyShare();
                String body = op ? text.opReply(topic, pt.focal(), rng)
                        : text.reply(topic, pt.focal(), ReplyStyle.draw(rng), rng);
                d = new Draft(parent, body, op ? postAuthor : Authors.name(rng.nextInt(Authors.POOL)), created,
                        false, op);
            } else {
                long created = postUtc + 30 + (long) Draw.exponential(rng, TOP_LEVEL_DELAY_MEAN_S);
                d = new Draft(null, text.reply(topic, pt.focal(), ReplyStyle.draw(rng), rng),
                        Authors.name(rng.nextInt(Authors.POOL)), created, false, false);
            }
            human.add(d);
            drafts.add(d);
        }
        // Stable sort: equal times keep writing order, and a reply always comes after its parent (20 s later at least).
        drafts.sort(Comparator.comparingLong(d -> d.createdUtc));
        Map<Draft, Integer> position = new IdentityHashMap<>();
        for (int i = 0; i < drafts.size(); i++) position.put(drafts.get(i), i);

        List<Voters.Item> items = new ArrayList<>();
        List<GoldPreference.Terms> terms = new ArrayList<>();
        for (Draft d : drafts) {
            GoldPreference.Terms t = gold.terms(prompt, d.text);
            terms.add(t);
            items.add(new Voters.Item(d.createdUtc, d.parent != null, !d.automod, t.gold(), t.words(), t.hypeWords()));
        }
        double appeal = POST_APPEAL_MEAN + Draw.gaussian(rng);
        Voters.Tally tally = voters.vote(postUtc, appeal, items, rng);

        List<Comment> comments = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            Draft d = drafts.get(i);
            Post.Status status = Post.Status.LIVE;
            double s = rng.nextDouble();
            if (!d.automod && s < config.deletedShare()) status = Post.Status.DELETED;
            else if (!d.automod && s < config.deletedShare() + config.removedShare()) status = Post.Status.REMOVED;
            long edited = !d.automod && rng.nextDouble() < config.editedShare()
                    ? d.createdUtc + 60 + (long) Draw.exponential(rng, EDIT_DELAY_MEAN_S) : -1;
            int ups = d.automod ? 1 : tally.ups()[i];
            int downs = d.automod ? 0 : tally.downs()[i];
            comments.add(new Comment(d.parent == null ? -1 : position.get(d.parent), d.text, d.author, d.createdUtc,
                    ups, downs, terms.get(i).gold(), edited, status, d.automod, d.bySubmitter));
        }

        Post.Status postStatus = Post.Status.LIVE;
        if (rng.nextDouble() < config.postDeletedShare()) {
            postStatus = rng.nextBoolean() ? Post.Status.DELETED : Post.Status.REMOVED;
        }
        long postEdited = rng.nextDouble() < config.editedShare()
                ? postUtc + 60 + (long) Draw.exponential(rng, EDIT_DELAY_MEAN_S) : -1;
        Post post = new Post(topic.subreddit(), pt.title(), pt.body(), pt.focal(),
                postStatus == Post.Status.DELETED ? "[deleted]" : postAuthor, postUtc, tally.postUps(),
                tally.postDowns(), postEdited, postStatus);
        return new ForumThread(post, comments);
    }

    private static int pick(double[] cdf, double u) {
        for (int i = 0; i < cdf.length; i++) if (u < cdf[i]) return i;
        return cdf.length - 1;
    }
}
