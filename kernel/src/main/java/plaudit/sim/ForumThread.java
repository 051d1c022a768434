package plaudit.sim;

import java.util.List;

/** A post and its comments, ordered by creation time; {@link Comment#parent()} indexes into {@link #comments()}. */
public record ForumThread(Post post, List<Comment> comments) {
    public ForumThread {
        comments = List.copyOf(comments);
    }
}
