package plaudit.sim;

/**
 * A generated comment, before ids are given out.
 *
 * @param parent      index of the parent comment in its thread, or -1 for a top-level comment
 * @param text        the text as written (kept for gold even when the comment is later deleted)
 * @param author      user name ({@code AutoModerator} for the stickied bot comment)
 * @param createdUtc  epoch second; comments in a thread are ordered by it
 * @param ups         upvotes, the author's own included
 * @param downs       downvotes
 * @param gold        {@link GoldPreference} of the text against the post's title and body
 * @param editedUtc   when it was edited, or -1
 * @param status      live, deleted by its author or removed by a moderator
 * @param automod     the stickied AutoModerator comment (never voted on)
 * @param bySubmitter written by the post's author
 */
public record Comment(int parent, String text, String author, long createdUtc, int ups, int downs, double gold,
                      long editedUtc, Post.Status status, boolean automod, boolean bySubmitter) {

    public int score() {
        return ups - downs;
    }

    public boolean topLevel() {
        return parent < 0;
    }

    /** The body shown in the dump. */
    public String body() {
        return switch (status) {
            case LIVE -> text;
            case DELETED -> "[deleted]";
            case REMOVED -> "[removed]";
        };
    }

    /** The author shown in the dump: a comment deleted by its author loses the name, a removed one keeps it. */
    public String shownAuthor() {
        return status == Post.Status.DELETED ? "[deleted]" : author;
    }

    /** Reddit flags a comment controversial when it has many votes both ways, nearly balanced. */
    public int controversiality() {
        return ups >= 5 && downs >= 5 && Math.min(ups, downs) >= 0.5 * Math.max(ups, downs) ? 1 : 0;
    }
}
