package plaudit.data;

import org.junit.jupiter.api.Test;
import plaudit.text.PlainTokenizer;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static plaudit.data.DataStats.Unit.COMMENTS;
import static plaudit.data.DataStats.Unit.PAIRS;
import static plaudit.data.DataStats.Unit.POSTS;

/** Each rule of {@link PairRules} on its own: the rule fires, and switching it off lets the same input through. */
class ComparisonBuilderTest {
    private final DataStats stats = new DataStats();
    private final List<Comparison> out = new ArrayList<>();

    private ComparisonBuilder builder(PairRules rules) {
        return builder(rules, Source.REDDIT);
    }

    private ComparisonBuilder builder(PairRules rules, Source source) {
        return new ComparisonBuilder(rules, source, stats, out::add);
    }

    /** One token per character: enough to show that limits are counted in the given tokenizer's tokens. */
    private static final class CharTokenizer implements PlainTokenizer {
        @Override
        public int[] encode(String text) {
            return text.chars().toArray();
        }

        @Override
        public String decode(int[] ids) {
            return new String(ids, 0, ids.length);
        }

        @Override
        public int vocabSize() {
            return 0x110000;
        }

        @Override
        public int eosId() {
            return -1;
        }
    }

    static Post post(String id, int score) {
        return new Post("t3_" + id, "AskCulinary", "r/AskCulinary\nTITLE: " + id + "\nPOST: body\nREPLY:", "op", score, 1000,
                false, false, false, true, List.of(), null, "RS", 1);
    }

    static Comment top(String post, String id, String author, String text, int score, long time) {
        return new Comment("t1_" + id, "t3_" + post, "t3_" + post, text, author, score, time, 0, false, "RC", time);
    }

    static Comment top(String post, String id, int score, long time) {
        return top(post, id, "user_" + id, "reply " + id, score, time);
    }

    /** Screens like the pipeline, then pairs. */
    private void run(ComparisonBuilder b, Post p, Comment... comments) {
        List<Comment> admitted = new ArrayList<>();
        for (Comment c : comments) if (b.admit(c)) admitted.add(c);
        b.thread(PostThread.assemble(p, admitted, false, stats));
    }

    @Test
    void laterRuleDropsAPreferenceTimingCouldExplain() {
        run(builder(PairRules.defaults()), post("p", 50), top("p", "early", 40, 100), top("p", "late", 10, 200));
        assertEquals(0, out.size());
        assertEquals(1, stats.skipped(PAIRS, SkipReason.PREFERRED_NOT_LATER));

        run(builder(PairRules.builder().requireLater(false).build()), post("p", 50), top("p", "early", 40, 100), top("p", "late", 10, 200));
        assertEquals(1, out.size());
        assertEquals(" reply early", out.get(0).chosen());
    }

    @Test
    void laterRuleAcceptsALaterHigherComment() {
        run(builder(PairRules.defaults()), post("p", 50), top("p", "early", 10, 100), top("p", "late", 40, 200));
        assertEquals(1, out.size());
        Comparison c = out.get(0);
        assertEquals(" reply late", c.chosen(), "responses start with a space");
        assertEquals(" reply early", c.rejected());
        assertEquals(40, c.scoreChosen());
        assertEquals(10, c.scoreRejected());
        assertEquals("t3_p", c.threadId());
        assertEquals("reddit", c.source());
        assertEquals(PairRules.defaults().split().assign("t3_p"), c.split());
        assertTrue(Double.isNaN(c.margin()), "no margin unless asked");
    }

    @Test
    void scoreRatio() {
        run(builder(PairRules.defaults()), post("p", 50), top("p", "a", 6, 100), top("p", "b", 11, 200));
        assertEquals(1, stats.skipped(PAIRS, SkipReason.RATIO_BELOW_MIN), "11/6 < 2");
        run(builder(PairRules.builder().minScoreRatio(1.5).build()), post("p", 50), top("p", "a", 6, 100), top("p", "b", 11, 200));
        assertEquals(1, out.size());
    }

    @Test
    void equalScoresAreNoPreference() {
        run(builder(PairRules.builder().minScoreRatio(1).build()), post("p", 50), top("p", "a", 6, 100), top("p", "b", 6, 200));
        assertEquals(1, stats.skipped(PAIRS, SkipReason.TIE));
        assertEquals(0, out.size());
    }

    @Test
    void minPostScore() {
        ComparisonBuilder b = builder(PairRules.defaults());
        assertEquals(SkipReason.POST_SCORE_BELOW_MIN, b.screen(post("p", 9)));
        assertNull(b.screen(post("p", 10)));
        assertNull(builder(PairRules.builder().minPostScore(0).build()).screen(post("p", 0)));
        assertEquals(1, stats.skipped(POSTS, SkipReason.POST_SCORE_BELOW_MIN));
    }

    @Test
    void minCommentScoreExceptForRankedSources() {
        assertFalse(builder(PairRules.defaults()).admit(top("p", "a", 1, 1)));
        assertTrue(builder(PairRules.defaults()).admit(top("p", "a", 2, 1)));
        assertTrue(builder(PairRules.builder().minCommentScore(-100).build()).admit(top("p", "a", -5, 1)));
        assertTrue(builder(PairRules.defaults(), Source.HN).admit(top("p", "a", 0, 1)), "HN comments have no score yet");
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.SCORE_BELOW_MIN));
    }

    @Test
    void topLevelOnly() {
        Comment reply = new Comment("t1_r", "t3_p", "t1_a", "a reply", "u", 50, 300, -1, false, "RC", 3);
        Comment a = top("p", "a", 5, 100);
        run(builder(PairRules.defaults()), post("p", 50), a, reply);
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.NOT_TOP_LEVEL));
        assertEquals(0, out.size());

        run(builder(PairRules.builder().topLevelOnly(false).build()), post("p", 50), a, reply);
        assertEquals(1, out.size(), "all comments on the post are compared");
        assertEquals(" a reply", out.get(0).chosen());
    }

    @Test
    void maxCommentsPerPostKeepsTheHighestScored() {
        PairRules rules = PairRules.builder().maxCommentsPerPost(3).minScoreRatio(1.01).requireLater(false).build();
        run(builder(rules), post("p", 50), top("p", "s2", 2, 1), top("p", "s9", 9, 2), top("p", "s3", 3, 3),
                top("p", "s7", 7, 4), top("p", "s5", 5, 5));
        assertEquals(2, stats.skipped(COMMENTS, SkipReason.OVER_MAX_COMMENTS));
        assertEquals(List.of("RC:1", "RC:3"), stats.examples(COMMENTS, SkipReason.OVER_MAX_COMMENTS).stream().sorted().toList());
        assertEquals(3, out.size(), "3 comments give 3 pairs");
        assertTrue(out.stream().noneMatch(c -> c.rejected().equals(" reply s2") || c.rejected().equals(" reply s3")));
    }

    @Test
    void maxPairsPerPostIsASeededSample() {
        PairRules rules = PairRules.builder().maxPairsPerPost(2).minScoreRatio(1.01).requireLater(false).build();
        Comment[] cs = {top("p", "a", 2, 1), top("p", "b", 3, 2), top("p", "c", 4, 3), top("p", "d", 5, 4)};
        run(builder(rules), post("p", 50), cs);
        assertEquals(2, out.size());
        assertEquals(4, stats.skipped(PAIRS, SkipReason.OVER_MAX_PAIRS));
        List<Comparison> first = List.copyOf(out);
        out.clear();
        run(builder(rules), post("p", 50), cs);
        assertEquals(first, out, "same seed, same sample");

        List<List<Comparison>> samples = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            out.clear();
            run(builder(rules.toBuilder().seed(seed).build()), post("p", 50), cs);
            samples.add(List.copyOf(out));
        }
        assertTrue(samples.stream().anyMatch(s -> !s.stream().map(Comparison::chosen).toList()
                .equals(first.stream().map(Comparison::chosen).toList())), "other seeds pick other pairs");

        out.clear();
        run(builder(rules.toBuilder().maxPairsPerPost(0).build()), post("p", 50), cs);
        assertEquals(6, out.size(), "0 = no limit");
    }

    @Test
    void deletedRemovedAndBotText() {
        ComparisonBuilder b = builder(PairRules.defaults());
        assertFalse(b.admit(top("p", "a", "u", "[deleted]", 5, 1)));
        assertFalse(b.admit(top("p", "b", "u", " [removed] ", 5, 1)));
        assertFalse(b.admit(top("p", "c", "u", "   ", 5, 1)));
        assertFalse(b.admit(top("p", "d", "AutoModerator", "Please read the rules.", 5, 1)));
        assertFalse(b.admit(top("p", "e", "RemindMeBot", "I will remind you.", 5, 1)));
        assertTrue(b.admit(top("p", "f", "robert", "A human.", 5, 1)));
        assertEquals(2, stats.skipped(COMMENTS, SkipReason.DELETED_TEXT));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.EMPTY_TEXT));
        assertEquals(2, stats.skipped(COMMENTS, SkipReason.BOT));
        assertTrue(builder(PairRules.builder().botPattern("nobody").build()).admit(top("p", "d", "AutoModerator", "x", 5, 1)));
    }

    @Test
    void deletedAuthors() {
        Comment c = top("p", "a", "[deleted]", "text survives", 5, 1);
        assertFalse(builder(PairRules.defaults()).admit(c));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.DELETED_AUTHOR));
        assertTrue(builder(PairRules.builder().dropDeletedAuthors(false).build()).admit(c));
    }

    @Test
    void repliesByThePostAuthor() {
        Comment op = top("p", "op", "op", "thanks all", 30, 300);
        Comment other = top("p", "x", 10, 100);
        run(builder(PairRules.defaults()), post("p", 50), op, other);
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.OP_REPLY));
        assertEquals(0, out.size());
        run(builder(PairRules.builder().dropOpReplies(false).build()), post("p", 50), op, other);
        assertEquals(1, out.size());
    }

    @Test
    void postFlags() {
        Post base = post("p", 50);
        Post nsfw = new Post(base.threadId(), "s", "x", "op", 50, 1, false, true, false, true, List.of(), null, "RS", 1);
        Post edited = new Post(base.threadId(), "s", "x", "op", 50, 1, true, false, false, true, List.of(), null, "RS", 1);
        Post removed = new Post(base.threadId(), "s", "x", "op", 50, 1, false, false, true, true, List.of(), null, "RS", 1);
        Post link = new Post(base.threadId(), "s", "x", "op", 50, 1, false, false, false, false, List.of(), null, "RS", 1);
        ComparisonBuilder b = builder(PairRules.defaults());
        assertEquals(SkipReason.POST_NSFW, b.screen(nsfw));
        assertEquals(SkipReason.POST_EDITED, b.screen(edited));
        assertEquals(SkipReason.POST_REMOVED, b.screen(removed));
        assertEquals(SkipReason.NOT_SELF_POST, b.screen(link));
        ComparisonBuilder lenient = builder(PairRules.builder().dropNsfwPosts(false).dropEditedPosts(false).selfPostsOnly(false).build());
        assertNull(lenient.screen(nsfw));
        assertNull(lenient.screen(edited));
        assertNull(lenient.screen(link));
        assertEquals(SkipReason.POST_REMOVED, lenient.screen(removed), "a removed post has no prompt, always");
    }

    @Test
    void tokenLimits() {
        PairRules words = PairRules.builder().minTokens(2).maxTokens(4).build();
        ComparisonBuilder b = builder(words);
        assertFalse(b.admit(top("p", "a", "u", "one", 5, 1)));
        assertTrue(b.admit(top("p", "b", "u", "one two three", 5, 1)));
        assertFalse(b.admit(top("p", "c", "u", "one two three four five", 5, 1)));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.TOO_SHORT));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.TOO_LONG));
        // a model tokenizer's count instead of words: here a tokenizer with one token per character
        ComparisonBuilder chars = builder(words.toBuilder().tokens(TokenCounter.of(new CharTokenizer())).build());
        assertFalse(chars.admit(top("p", "b", "u", "one two three", 5, 1)));
        assertTrue(chars.admit(top("p", "b", "u", "abc", 5, 1)));
        ComparisonBuilder prompt = builder(PairRules.builder().maxPromptTokens(3).build());
        assertEquals(SkipReason.PROMPT_TOO_LONG, prompt.screen(post("p", 50)));
    }

    @Test
    void dedupeWithinAThreadAndAcrossThreads() {
        ComparisonBuilder b = builder(PairRules.defaults());
        Post p = post("p", 50);
        run(b, p, top("p", "a", "u1", "same words", 10, 100), top("p", "b", "u2", "same words", 40, 200), top("p", "c", 40, 300));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.DUPLICATE_TEXT));
        assertEquals(1, out.size(), "c over a; b was a copy of a");
        run(b, p, top("p", "a", "u1", "same words", 10, 100), top("p", "c", 40, 300));
        assertEquals(1, stats.skipped(PAIRS, SkipReason.DUPLICATE_PAIR), "the same thread read twice");
        assertEquals(1, out.size());

        ComparisonBuilder keep = builder(PairRules.builder().dedupe(false).build());
        run(keep, p, top("p", "a", "u1", "same words", 10, 100), top("p", "b", "u2", "same words", 40, 200));
        assertEquals(2, out.size());
    }

    @Test
    void marginIsTheLogScoreRatio() {
        run(builder(PairRules.builder().margin(true).build()), post("p", 50), top("p", "a", 10, 100), top("p", "b", 40, 200));
        assertEquals(Math.log(4), out.get(0).margin(), 1e-12);
    }

    @Test
    void rankedSourcesCompareDisplayPositions() {
        Post story = new Post("hn/1", "hn", "Hacker News\nTITLE: t\nPOST: q\nREPLY:", "asker", 50, 0, false, false, false,
                true, List.of("hn/3", "hn/2", "hn/4"), null, "hn", 1);
        Comment c2 = new Comment("hn/2", "hn/1", "hn/1", "second", "b", 0, 100, 0, false, "hn", 2);
        Comment c3 = new Comment("hn/3", "hn/1", "hn/1", "first", "c", 0, 200, 0, false, "hn", 3);
        Comment c4 = new Comment("hn/4", "hn/1", "hn/1", "third", "d", 0, 50, 0, false, "hn", 4);
        Comment c5 = new Comment("hn/5", "hn/1", "hn/1", "unranked", "e", 0, 60, 0, false, "hn", 5);
        ComparisonBuilder b = builder(PairRules.builder().margin(true).build(), Source.HN);
        b.thread(PostThread.assemble(story, List.of(c2, c3, c4, c5), true, stats));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.NOT_IN_RANKING));
        // positions: hn/3 -> 1, hn/2 -> 2, hn/4 -> 3. Pairs: 1 vs 2 (ratio 2, kept), 1 vs 3 (3, kept), 2 vs 3 (1.5, dropped)
        assertEquals(2, out.size());
        Comparison overSecond = out.stream().filter(c -> c.rejected().equals(" second")).findFirst().orElseThrow();
        assertEquals(" first", overSecond.chosen());
        assertEquals(-1, overSecond.scoreChosen());
        assertEquals(-2, overSecond.scoreRejected());
        assertEquals(Math.log(2), overSecond.margin(), 1e-12);
        assertEquals(1, stats.skipped(PAIRS, SkipReason.RATIO_BELOW_MIN));
    }

    @Test
    void readyPairsFollowTheSameRules() {
        ComparisonBuilder b = builder(PairRules.builder().maxPairsPerPost(1).build(), Source.SHP);
        b.pair(new PreferencePair("q", "good", "bad", 10, 3, 200, 100, "t3_a", "s", "f", 1));
        b.pair(new PreferencePair("q", "good 2", "bad", 10, 3, 200, 100, "t3_a", "s", "f", 2));
        b.pair(new PreferencePair("q", "good", "bad", 10, 6, 200, 100, "t3_b", "s", "f", 3));
        b.pair(new PreferencePair("q", "good", "bad", 10, 3, 100, 200, "t3_c", "s", "f", 4));
        b.pair(new PreferencePair("q", "good", "bad", 10, 1, 200, 100, "t3_d", "s", "f", 5));
        b.pair(new PreferencePair("q", "same", " same", 10, 3, 200, 100, "t3_e", "s", "f", 6));
        b.pair(new PreferencePair("q", "", "bad", Double.NaN, Double.NaN, PreferencePair.UNKNOWN_TIME,
                PreferencePair.UNKNOWN_TIME, "t3_f", "s", "f", 7));
        b.pair(new PreferencePair("q", "fine", "bad", Double.NaN, Double.NaN, PreferencePair.UNKNOWN_TIME,
                PreferencePair.UNKNOWN_TIME, "t3_g", "s", "f", 8));
        assertEquals(2, out.size(), "lines 1 and 8");
        assertEquals(1, stats.skipped(PAIRS, SkipReason.OVER_MAX_PAIRS));
        assertEquals(1, stats.skipped(PAIRS, SkipReason.RATIO_BELOW_MIN));
        assertEquals(1, stats.skipped(PAIRS, SkipReason.PREFERRED_NOT_LATER));
        assertEquals(1, stats.skipped(PAIRS, SkipReason.SCORE_BELOW_MIN));
        assertEquals(1, stats.skipped(PAIRS, SkipReason.IDENTICAL_RESPONSES));
        assertEquals(1, stats.skipped(PAIRS, SkipReason.EMPTY_TEXT));
        assertTrue(Double.isNaN(out.get(1).scoreChosen()), "unscored pairs pass the score rules");
        assertNotEquals(out.get(0).threadId(), out.get(1).threadId());
    }
}
