package plaudit.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A post and its comments, joined from possibly separate files: comments sorted by time, depths resolved through
 * the parent chain (-1 for a reply whose parent is missing), the accepted answer flagged, and, for ranked sources,
 * scores derived from the display order.
 *
 * <p>Ranked sources (Hacker News) have no comment scores; the order of the post's {@code kids} is the site's
 * ranking. A top-level comment at 1-based display position k gets the score -k (the top comment -1, the next -2), so
 * "higher score" still means "ranked higher", and the builder's score ratio for ranked sources is the ratio of
 * positions (position 2 against position 4 is a ratio of 2), which, unlike a difference, means the same at the top
 * of a thread as further down.
 */
public record PostThread(Post post, List<Comment> comments) {
    public PostThread {
        comments = List.copyOf(comments);
    }

    /**
     * Builds a thread from the joined records. Repeated comment ids ({@link SkipReason#DUPLICATE_COMMENT}) and, for a
     * ranked source, top-level comments missing from the ranking ({@link SkipReason#NOT_IN_RANKING}) are counted.
     */
    public static PostThread assemble(Post post, List<Comment> raw, boolean ranked, DataStats stats) {
        Map<String, Comment> byId = new HashMap<>();
        List<Comment> unique = new ArrayList<>(raw.size());
        for (Comment c : raw) {
            if (byId.putIfAbsent(c.id(), c) == null) unique.add(c);
            else stats.skip(DataStats.Unit.COMMENTS, SkipReason.DUPLICATE_COMMENT, c.file(), c.line(), c.id());
        }
        Map<String, Integer> rank = new HashMap<>();
        List<String> order = post.rankedReplies();
        for (int i = 0; i < order.size(); i++) rank.putIfAbsent(order.get(i), -(i + 1));
        List<Comment> out = new ArrayList<>(unique.size());
        Map<String, Integer> depths = new HashMap<>();
        for (Comment c : unique) {
            Comment d = c.withDepth(depth(c, byId, depths, post.threadId()));
            if (d.id().equals(post.acceptedReply())) d = d.withAccepted();
            if (ranked && d.depth() == 0) {
                Integer score = rank.get(d.id());
                if (score == null) {
                    stats.skip(DataStats.Unit.COMMENTS, SkipReason.NOT_IN_RANKING, d.file(), d.line(), d.id());
                    continue;
                }
                d = d.withScore(score);
            }
            out.add(d);
        }
        out.sort(Comparator.comparingLong(Comment::createdUtc).thenComparing(Comment::id));
        return new PostThread(post, out);
    }

    private static final int UNKNOWN = Integer.MIN_VALUE;

    private static int depth(Comment c, Map<String, Comment> byId, Map<String, Integer> memo, String threadId) {
        // Walk up until the post, a comment of known depth, a missing parent, or a cycle (bad data) ...
        List<Comment> chain = new ArrayList<>();
        Set<String> onChain = new HashSet<>();
        Comment cur = c;
        int above;
        while (true) {
            Integer known = memo.get(cur.id());
            if (known != null) {
                above = known;
                break;
            }
            chain.add(cur);
            onChain.add(cur.id());
            if (cur.parentId().equals(threadId)) {
                above = -1; // the post itself sits at depth -1, so its replies are at 0
                break;
            }
            Comment parent = byId.get(cur.parentId());
            if (parent == null || onChain.contains(parent.id())) {
                above = UNKNOWN;
                break;
            }
            cur = parent;
        }
        // ... then assign depths back down the chain.
        int d = above;
        for (int i = chain.size() - 1; i >= 0; i--) {
            d = d == UNKNOWN ? UNKNOWN : d + 1;
            memo.put(chain.get(i).id(), d);
        }
        int depth = memo.get(c.id());
        return depth == UNKNOWN ? -1 : depth;
    }
}
