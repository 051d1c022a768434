package plaudit.sim;

import java.util.List;

/** A whole generated forum: its config and its threads in posting order. */
public record Forum(ForumConfig config, List<ForumThread> threads) {
    public Forum {
        threads = List.copyOf(threads);
    }
}
