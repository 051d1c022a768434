package plaudit.data;

import plaudit.Setting;
import plaudit.UserError;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules that turn threads into comparisons. Defaults follow the Stanford Human Preferences dataset (SHP,
 * Ethayarajh et al. 2022), each switchable; build with {@code PairRules.builder()...build()}.
 *
 * @param topLevelOnly       compare top-level comments only (default true): both then answer the post itself, so they
 *                           are responses to the same prompt. When false, all comments on the post are compared
 * @param requireLater       the preferred comment must be written later than the other (default true): an earlier
 *                           comment collects votes from more visibility, so only a later comment that still scores
 *                           higher shows a preference that timing cannot explain (SHP's key idea)
 * @param minScoreRatio      the preferred score must be at least this multiple of the other (default 2, SHP): small
 *                           differences are vote noise. Scores below 1 count as 1 in the ratio
 * @param minPostScore       posts scoring below this are skipped (default 10, SHP): little-seen threads have noisy votes
 * @param minCommentScore    comments scoring below this are skipped (default 2, SHP: upvoted by someone besides the
 *                           author). Not applied to ranked sources (Hacker News), whose comments have no score
 * @param maxCommentsPerPost at most this many comments per post are paired, the highest-scored (default 50, SHP):
 *                           comment counts are Pareto-distributed and pairs grow quadratically
 * @param maxPairsPerPost    at most this many pairs per post, a seeded sample (default 10) so big threads do not
 *                           dominate; 0 means no limit
 * @param dropDeletedAuthors skip comments of deleted accounts (default true, SHP)
 * @param dropOpReplies      skip comments by the post's author (default true, SHP): they continue the prompt
 * @param dropNsfwPosts      skip posts marked over-18 (default true, SHP)
 * @param dropEditedPosts    skip edited posts (default true, SHP): replies may answer a text that is gone
 * @param selfPostsOnly      skip link posts (default true, SHP): replies may be about content the prompt lacks
 * @param botPattern         authors matching this (whole name, case-insensitive) are bots and skipped
 * @param minTokens          responses with fewer tokens are skipped (default 0: off)
 * @param maxTokens          responses with more tokens are skipped (default 0: no limit)
 * @param maxPromptTokens    threads whose prompt has more tokens are skipped (default 0: no limit)
 * @param tokens             how tokens are counted (default {@link TokenCounter#whitespace()})
 * @param dedupe             drop repeated comment texts within a post and repeated (prompt, chosen, rejected) triples
 *                           (default true)
 * @param split              train/val/test fractions and seed (default 90/5/5, seed 0); the seed also drives the
 *                           per-post pair sample
 * @param margin             add a per-pair margin, log(score_chosen / score_rejected), for margin losses (default false)
 */
public record PairRules(boolean topLevelOnly, boolean requireLater, double minScoreRatio, int minPostScore,
                        int minCommentScore, int maxCommentsPerPost, int maxPairsPerPost, boolean dropDeletedAuthors,
                        boolean dropOpReplies, boolean dropNsfwPosts, boolean dropEditedPosts, boolean selfPostsOnly,
                        Pattern botPattern, int minTokens, int maxTokens, int maxPromptTokens, TokenCounter tokens,
                        boolean dedupe, SplitRule split, boolean margin) {

    /** AutoModerator, names ending in "bot", and Stack Exchange's "Community" system user. Catches some humans named *bot. */
    public static final String DEFAULT_BOTS = "automoderator|community|.*bot";

    // The rules an experiment spec, the DSL and `plaudit pairs` share (Experiment.Rules declares them as its own),
    // each defined once: SHP's default, one line of documentation, its validation and its option. The ratio has none:
    // SettingOptions would print its default as 2, and `plaudit pairs --help` has always said 2.0.
    public static final Setting<Double> MIN_SCORE_RATIO = Setting.of("minScoreRatio", 2.0,
                    "The preferred comment's score must be at least this multiple of the other's")
            .check(v -> v >= 1, ">= 1");
    public static final Setting<Integer> MIN_POST_SCORE = Setting.of("minPostScore", 10,
            "Posts scoring below this are skipped").option("--min-post-score");
    public static final Setting<Integer> MIN_COMMENT_SCORE = Setting.of("minCommentScore", 2,
            "Comments scoring below this are skipped (not for hn, whose comments have no score)").option("--min-comment-score");
    public static final Setting<Integer> MAX_COMMENTS_PER_POST = Setting.of("maxCommentsPerPost", 50,
                    "At most this many comments per post are paired (the highest-scored)")
            .check(v -> v >= 2, ">= 2").option("--max-comments-per-post");
    public static final Setting<Integer> MAX_PAIRS_PER_POST = Setting.of("maxPairsPerPost", 10,
                    "At most this many comparisons per post (a seeded sample); 0 = no limit")
            .check(v -> v >= 0, ">= 0").option("--max-pairs-per-post");
    public static final Setting<Boolean> TOP_LEVEL_ONLY = Setting.of("topLevelOnly", true, "Compare top-level comments only");
    public static final Setting<Boolean> REQUIRE_LATER = Setting.of("requireLater", true,
            "The preferred comment must be the later one (SHP's rule against visibility bias)");
    public static final Setting<Integer> MAX_TOKENS = Setting.of("maxTokens", 0,
            "Responses with more (whitespace) tokens are skipped; 0 = no limit").check(v -> v >= 0, ">= 0");

    public PairRules {
        MIN_SCORE_RATIO.validate("pair rules", minScoreRatio, Map.of());
        MAX_COMMENTS_PER_POST.validate("pair rules", maxCommentsPerPost, Map.of());
        MAX_PAIRS_PER_POST.validate("pair rules", maxPairsPerPost, Map.of());
        MAX_TOKENS.validate("pair rules", maxTokens, Map.of());
        if (minTokens < 0 || maxPromptTokens < 0) throw new UserError("token limits must be >= 0");
        if (maxTokens > 0 && minTokens > maxTokens) {
            throw new UserError("min tokens (" + minTokens + ") is above max tokens (" + maxTokens + ")");
        }
    }

    public static PairRules defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.topLevelOnly = topLevelOnly;
        b.requireLater = requireLater;
        b.minScoreRatio = minScoreRatio;
        b.minPostScore = minPostScore;
        b.minCommentScore = minCommentScore;
        b.maxCommentsPerPost = maxCommentsPerPost;
        b.maxPairsPerPost = maxPairsPerPost;
        b.dropDeletedAuthors = dropDeletedAuthors;
        b.dropOpReplies = dropOpReplies;
        b.dropNsfwPosts = dropNsfwPosts;
        b.dropEditedPosts = dropEditedPosts;
        b.selfPostsOnly = selfPostsOnly;
        b.botPattern = botPattern;
        b.minTokens = minTokens;
        b.maxTokens = maxTokens;
        b.maxPromptTokens = maxPromptTokens;
        b.tokens = tokens;
        b.dedupe = dedupe;
        b.split = split;
        b.margin = margin;
        return b;
    }

    public static final class Builder {
        private boolean topLevelOnly = TOP_LEVEL_ONLY.defaultValue();
        private boolean requireLater = REQUIRE_LATER.defaultValue();
        private double minScoreRatio = MIN_SCORE_RATIO.defaultValue();
        private int minPostScore = MIN_POST_SCORE.defaultValue();
        private int minCommentScore = MIN_COMMENT_SCORE.defaultValue();
        private int maxCommentsPerPost = MAX_COMMENTS_PER_POST.defaultValue();
        private int maxPairsPerPost = MAX_PAIRS_PER_POST.defaultValue();
        private boolean dropDeletedAuthors = true;
        private boolean dropOpReplies = true;
        private boolean dropNsfwPosts = true;
        private boolean dropEditedPosts = true;
        private boolean selfPostsOnly = true;
        private Pattern botPattern = Pattern.compile(DEFAULT_BOTS, Pattern.CASE_INSENSITIVE);
        private int minTokens;
        private int maxTokens = MAX_TOKENS.defaultValue();
        private int maxPromptTokens;
        private TokenCounter tokens = TokenCounter.whitespace();
        private boolean dedupe = true;
        private SplitRule split = SplitRule.DEFAULT;
        private boolean margin;

        public Builder topLevelOnly(boolean v) { topLevelOnly = v; return this; }
        public Builder requireLater(boolean v) { requireLater = v; return this; }
        public Builder minScoreRatio(double v) { minScoreRatio = v; return this; }
        public Builder minPostScore(int v) { minPostScore = v; return this; }
        public Builder minCommentScore(int v) { minCommentScore = v; return this; }
        public Builder maxCommentsPerPost(int v) { maxCommentsPerPost = v; return this; }
        public Builder maxPairsPerPost(int v) { maxPairsPerPost = v; return this; }
        public Builder dropDeletedAuthors(boolean v) { dropDeletedAuthors = v; return this; }
        public Builder dropOpReplies(boolean v) { dropOpReplies = v; return this; }
        public Builder dropNsfwPosts(boolean v) { dropNsfwPosts = v; return this; }
        public Builder dropEditedPosts(boolean v) { dropEditedPosts = v; return this; }
        public Builder selfPostsOnly(boolean v) { selfPostsOnly = v; return this; }
        public Builder minTokens(int v) { minTokens = v; return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder maxPromptTokens(int v) { maxPromptTokens = v; return this; }
        public Builder tokens(TokenCounter v) { tokens = v; return this; }
        public Builder dedupe(boolean v) { dedupe = v; return this; }
        public Builder split(SplitRule v) { split = v; return this; }
        public Builder margin(boolean v) { margin = v; return this; }

        /** A regular expression matched against the whole author name, case-insensitively. */
        public Builder botPattern(String regex) {
            try {
                botPattern = Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
            } catch (PatternSyntaxException e) {
                throw new UserError("bot pattern '" + regex + "' is not a valid regular expression: " + e.getDescription());
            }
            return this;
        }

        /** Changes the seed of the split and of the per-post pair sample, keeping the fractions. */
        public Builder seed(long seed) {
            split = new SplitRule(split.train(), split.val(), split.test(), seed);
            return this;
        }

        public PairRules build() {
            return new PairRules(topLevelOnly, requireLater, minScoreRatio, minPostScore, minCommentScore,
                    maxCommentsPerPost, maxPairsPerPost, dropDeletedAuthors, dropOpReplies, dropNsfwPosts,
                    dropEditedPosts, selfPostsOnly, botPattern, minTokens, maxTokens, maxPromptTokens, tokens, dedupe,
                    split, margin);
        }
    }
}
