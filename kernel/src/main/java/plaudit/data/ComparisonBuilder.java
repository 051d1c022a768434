package plaudit.data;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;

import static plaudit.data.DataStats.Unit.COMMENTS;
import static plaudit.data.DataStats.Unit.PAIRS;
import static plaudit.data.DataStats.Unit.POSTS;

/**
 * Applies {@link PairRules} to threads (and to ready comparisons) and emits split-assigned {@link Comparison}s.
 * Rules that need only one record ({@link #screen(Post)}, {@link #admit(Comment)}) run as records are read, so
 * unusable comments never take memory; the rest run per thread in {@link #thread}. Every rejection is counted in the
 * {@link DataStats} under its {@link SkipReason}.
 */
public final class ComparisonBuilder {
    private final PairRules rules;
    private final Source source;
    private final DataStats stats;
    private final Consumer<Comparison> out;
    private final LongOpenHashSet seenPairs = new LongOpenHashSet();
    /** Reused for every author: the builder runs on one thread, and a Matcher per comment is measurable garbage. */
    private final Matcher bots;
    /**
     * Ready comparisons per thread, for the per-post cap (ready sources only). It grows with the number of threads of
     * a ready source (SHP: 385k rows), as does the de-duplication set with kept comparisons (8 bytes each).
     */
    private final Map<String, Integer> readyPerThread = new HashMap<>();

    public ComparisonBuilder(PairRules rules, Source source, DataStats stats, Consumer<Comparison> out) {
        this.rules = rules;
        this.source = source;
        this.stats = stats;
        this.out = out;
        this.bots = rules.botPattern().matcher("");
    }

    /** Post-level rules that need only the post: null when admitted, else the (counted) reason it cannot be used. */
    public SkipReason screen(Post p) {
        SkipReason r = postVerdict(p);
        if (r != null) stats.skip(POSTS, r, p.file(), p.line());
        return r;
    }

    private SkipReason postVerdict(Post p) {
        if (p.removed()) return SkipReason.POST_REMOVED;
        if (rules.selfPostsOnly() && !p.selfPost()) return SkipReason.NOT_SELF_POST;
        if (rules.dropNsfwPosts() && p.nsfw()) return SkipReason.POST_NSFW;
        if (rules.dropEditedPosts() && p.edited()) return SkipReason.POST_EDITED;
        if (p.score() < rules.minPostScore()) return SkipReason.POST_SCORE_BELOW_MIN;
        if (rules.maxPromptTokens() > 0 && rules.tokens().count(p.prompt()) > rules.maxPromptTokens()) {
            return SkipReason.PROMPT_TOO_LONG;
        }
        return null;
    }

    /** Comment-level rules that need only the comment; false (and counted) when it cannot be in any comparison. */
    public boolean admit(Comment c) {
        SkipReason r = commentVerdict(c);
        if (r == null) return true;
        stats.skip(COMMENTS, r, c.file(), c.line());
        return false;
    }

    private SkipReason commentVerdict(Comment c) {
        if (Deleted.text(c.text())) return SkipReason.DELETED_TEXT;
        if (c.text().isBlank()) return SkipReason.EMPTY_TEXT;
        if (rules.dropDeletedAuthors() && Deleted.author(c.author())) return SkipReason.DELETED_AUTHOR;
        if (c.author() != null && bots.reset(c.author()).matches()) return SkipReason.BOT;
        if (rules.topLevelOnly() && !c.isTopLevel()) return SkipReason.NOT_TOP_LEVEL;
        if (!source.ranked() && c.score() < rules.minCommentScore()) return SkipReason.SCORE_BELOW_MIN;
        return lengthVerdict(c.text());
    }

    private SkipReason lengthVerdict(String text) {
        if (rules.minTokens() == 0 && rules.maxTokens() == 0) return null;
        int n = rules.tokens().count(text);
        if (n < rules.minTokens()) return SkipReason.TOO_SHORT;
        if (rules.maxTokens() > 0 && n > rules.maxTokens()) return SkipReason.TOO_LONG;
        return null;
    }

    /** Pairs the comments of one admitted post under the thread rules. */
    public void thread(PostThread t) {
        Post post = t.post();
        boolean opKnown = post.author() != null && !Deleted.author(post.author());
        List<Comment> candidates = new ArrayList<>();
        Set<String> texts = new HashSet<>();
        for (Comment c : t.comments()) {
            if (rules.topLevelOnly() && c.depth() != 0) {
                stats.skip(COMMENTS, SkipReason.NOT_TOP_LEVEL, c.file(), c.line()); // e.g. a HN reply that joined its story
            } else if (rules.dropOpReplies() && opKnown && post.author().equals(c.author())) {
                stats.skip(COMMENTS, SkipReason.OP_REPLY, c.file(), c.line());
            } else if (rules.dedupe() && !texts.add(c.text())) {
                stats.skip(COMMENTS, SkipReason.DUPLICATE_TEXT, c.file(), c.line());
            } else {
                candidates.add(c);
            }
        }
        if (candidates.size() > rules.maxCommentsPerPost()) {
            List<Comment> byScore = new ArrayList<>(candidates);
            byScore.sort(Comparator.comparingInt(Comment::score).reversed().thenComparingLong(Comment::createdUtc));
            for (Comment c : byScore.subList(rules.maxCommentsPerPost(), byScore.size())) {
                stats.skip(COMMENTS, SkipReason.OVER_MAX_COMMENTS, c.file(), c.line());
            }
            Set<Comment> keep = Collections.newSetFromMap(new IdentityHashMap<>());
            keep.addAll(byScore.subList(0, rules.maxCommentsPerPost()));
            candidates.removeIf(c -> !keep.contains(c));
        }
        if (candidates.size() < 2) {
            stats.skip(POSTS, SkipReason.TOO_FEW_COMMENTS, post.file(), post.line());
            return;
        }
        List<Comment[]> eligible = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            for (int j = i + 1; j < candidates.size(); j++) {
                Comment a = candidates.get(i);
                Comment b = candidates.get(j);
                Comment hi = a.score() >= b.score() ? a : b;
                Comment lo = hi == a ? b : a;
                SkipReason r = pairVerdict(hi.score(), lo.score(), hi.createdUtc(), lo.createdUtc());
                if (r == null) eligible.add(new Comment[] {hi, lo});
                else stats.skip(PAIRS, r, hi.file(), hi.line());
            }
        }
        if (rules.maxPairsPerPost() > 0 && eligible.size() > rules.maxPairsPerPost()) {
            // A seeded sample, not the largest ratios: keeps the ratio distribution of the kept pairs unbiased.
            List<Integer> order = new ArrayList<>(eligible.size());
            for (int i = 0; i < eligible.size(); i++) order.add(i);
            Collections.shuffle(order, new Random(Hash64.of(post.threadId()) ^ rules.split().seed()));
            List<Integer> chosen = new ArrayList<>(order.subList(0, rules.maxPairsPerPost()));
            for (int i : order.subList(rules.maxPairsPerPost(), order.size())) {
                stats.skip(PAIRS, SkipReason.OVER_MAX_PAIRS, eligible.get(i)[0].file(), eligible.get(i)[0].line());
            }
            Collections.sort(chosen);
            List<Comment[]> sample = new ArrayList<>(chosen.size());
            for (int i : chosen) sample.add(eligible.get(i));
            eligible = sample;
        }
        for (Comment[] p : eligible) {
            emit(post.prompt(), p[0].text(), p[1].text(), p[0].score(), p[1].score(), post.threadId(), post.community(),
                    p[0].file(), p[0].line());
        }
    }

    /**
     * The rules on a candidate pair, given the preferred (hi) and other (lo) scores and times; null when it is kept.
     * "Later" allows the same second: SHP's seconds_difference is >= 0, and equal times give no visibility advantage.
     */
    private SkipReason pairVerdict(double hi, double lo, long hiTime, long loTime) {
        if (hi == lo) return SkipReason.TIE;
        if (rules.requireLater() && hiTime < loTime) return SkipReason.PREFERRED_NOT_LATER;
        if (ratio(hi, lo) < rules.minScoreRatio()) return SkipReason.RATIO_BELOW_MIN;
        return null;
    }

    /**
     * The score ratio of the preferred (hi) to the other (lo). Votes: scores below 1 count as 1, so the ratio is finite
     * and a positive score beats a negative one by its own size. Ranked sources: scores are minus display positions,
     * and the ratio is the other's position over the preferred's.
     */
    double ratio(double hi, double lo) {
        return source.ranked() ? lo / hi : Math.max(hi, 1) / Math.max(lo, 1);
    }

    /** Applies the rules that make sense for a comparison a source already states (SHP, chosen/rejected). */
    public void pair(PreferencePair p) {
        SkipReason r = readyVerdict(p);
        if (r != null) {
            stats.skip(PAIRS, r, p.file(), p.line());
            return;
        }
        if (rules.maxPairsPerPost() > 0 && readyPerThread.merge(p.threadId(), 1, Integer::sum) > rules.maxPairsPerPost()) {
            stats.skip(PAIRS, SkipReason.OVER_MAX_PAIRS, p.file(), p.line()); // first N in file order
            return;
        }
        emit(p.prompt(), p.chosen(), p.rejected(), p.scoreChosen(), p.scoreRejected(), p.threadId(), p.community(),
                p.file(), p.line());
    }

    private SkipReason readyVerdict(PreferencePair p) {
        if (Deleted.text(p.chosen()) || Deleted.text(p.rejected())) return SkipReason.DELETED_TEXT;
        if (p.chosen().isBlank() || p.rejected().isBlank()) return SkipReason.EMPTY_TEXT;
        if (p.chosen().strip().equals(p.rejected().strip())) return SkipReason.IDENTICAL_RESPONSES;
        SkipReason len = lengthVerdict(p.chosen());
        if (len == null) len = lengthVerdict(p.rejected());
        if (len != null) return len;
        if (rules.maxPromptTokens() > 0 && rules.tokens().count(p.prompt()) > rules.maxPromptTokens()) {
            return SkipReason.PROMPT_TOO_LONG;
        }
        if (p.scored()) {
            if (Math.min(p.scoreChosen(), p.scoreRejected()) < rules.minCommentScore()) return SkipReason.SCORE_BELOW_MIN;
            if (p.scoreChosen() == p.scoreRejected()) return SkipReason.TIE;
            if (ratio(p.scoreChosen(), p.scoreRejected()) < rules.minScoreRatio()) return SkipReason.RATIO_BELOW_MIN;
        }
        if (p.timed() && rules.requireLater() && p.timeChosen() < p.timeRejected()) return SkipReason.PREFERRED_NOT_LATER;
        return null;
    }

    private void emit(String prompt, String chosenText, String rejectedText, double scoreChosen, double scoreRejected,
                      String threadId, String community, String file, long line) {
        String chosen = PromptFormat.response(chosenText);
        String rejected = PromptFormat.response(rejectedText);
        if (rules.dedupe() && !seenPairs.add(Hash64.of(prompt, chosen, rejected))) {
            stats.skip(PAIRS, SkipReason.DUPLICATE_PAIR, file, line);
            return;
        }
        Split split = rules.split().assign(threadId);
        double margin = rules.margin() && !Double.isNaN(scoreChosen) && !Double.isNaN(scoreRejected)
                ? Math.log(ratio(scoreChosen, scoreRejected)) : Double.NaN;
        stats.kept(split, community);
        out.accept(new Comparison(prompt, chosen, rejected, scoreChosen, scoreRejected, threadId, source.key(), split,
                margin));
    }
}
