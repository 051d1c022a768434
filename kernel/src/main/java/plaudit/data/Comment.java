package plaudit.data;

/**
 * One reply in a thread.
 *
 * @param id         globally unique id, in the same namespace as parent ids ({@code t1_c13}, {@code hn/8952})
 * @param threadId   the post this comment belongs to (for Hacker News replies, provisionally the parent item)
 * @param parentId   the post's thread id for a top-level comment, else the parent comment's id
 * @param text       plain text (Markdown for Reddit), as the author wrote it
 * @param author     author name, {@code [deleted]} when deleted, null when the source has none
 * @param score      net upvotes; for ranked sources (Hacker News) minus the display position, see {@link PostThread}
 * @param createdUtc creation time, epoch seconds
 * @param depth      0 for a top-level comment, n for a reply n levels down, -1 while unknown (its parent is missing)
 * @param accepted   the asker accepted this answer (Stack Exchange)
 * @param file       input file name, for skip reports
 * @param line       1-based line in that file
 */
public record Comment(String id, String threadId, String parentId, String text, String author, int score,
                      long createdUtc, int depth, boolean accepted, String file, long line) {

    /** Replies directly to the post: the comments SHP compares, since both answer the same prompt. */
    public boolean isTopLevel() {
        return parentId.equals(threadId);
    }

    public Comment withDepth(int d) {
        return new Comment(id, threadId, parentId, text, author, score, createdUtc, d, accepted, file, line);
    }

    public Comment withAccepted() {
        return new Comment(id, threadId, parentId, text, author, score, createdUtc, depth, true, file, line);
    }

    public Comment withScore(int s) {
        return new Comment(id, threadId, parentId, text, author, s, createdUtc, depth, accepted, file, line);
    }
}
