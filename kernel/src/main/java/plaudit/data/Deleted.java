package plaudit.data;

import java.util.Set;

/** The placeholders sites leave where text or an account was deleted. */
public final class Deleted {
    /** Reddit's markers (older and newer dumps), and what the readers substitute for deleted/dead HN items. */
    private static final Set<String> TEXT_MARKERS = Set.of("[deleted]", "[removed]", "[deleted by user]",
            "[ removed by reddit ]", "[removed by reddit]");

    private Deleted() {
    }

    public static boolean text(String text) {
        return text != null && text.length() <= 24 && TEXT_MARKERS.contains(text.strip().toLowerCase());
    }

    public static boolean author(String author) {
        return "[deleted]".equals(author);
    }
}
