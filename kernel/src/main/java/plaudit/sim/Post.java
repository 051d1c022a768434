package plaudit.sim;

/**
 * A generated submission, before ids are given out.
 *
 * @param subreddit  the thread's topic
 * @param title      title text
 * @param text       self text as written (kept for gold even when the post is later deleted)
 * @param focal      the noun the post asks about
 * @param author     user name
 * @param createdUtc epoch second
 * @param ups        upvotes, the author's own included
 * @param downs      downvotes
 * @param editedUtc  when it was edited, or -1
 * @param status     live, deleted by its author or removed by a moderator
 */
public record Post(String subreddit, String title, String text, String focal, String author, long createdUtc,
                   int ups, int downs, long editedUtc, Status status) {

    /** What a dump shows of an item's text. */
    public enum Status { LIVE, DELETED, REMOVED }

    public int score() {
        return ups - downs;
    }

    /** The text shown in the dump: the self text, or {@code [deleted]} / {@code [removed]}. */
    public String selftext() {
        return switch (status) {
            case LIVE -> text;
            case DELETED -> "[deleted]";
            case REMOVED -> "[removed]";
        };
    }

    /** The prompt gold is computed against: title and body. */
    public String prompt() {
        return title + "\n" + text;
    }
}
