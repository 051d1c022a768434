package plaudit.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * One subreddit of the synthetic forum and the content words that belong to it alone.
 *
 * @param subreddit   subreddit name (also a keyword of the topic, e.g. {@code cooking})
 * @param subredditId Reddit-style fullname of the subreddit, {@code t5_<base36>}
 * @param nouns       things the topic talks about; posts are about one of them (the focal noun)
 * @param verbs       base-form verbs of the topic ("sear", "prune")
 * @param adjectives  adjectives of the topic ("crispy", "leggy")
 */
public record Topic(String subreddit, String subredditId, List<String> nouns, List<String> verbs,
                    List<String> adjectives) {

    public Topic {
        nouns = List.copyOf(nouns);
        verbs = List.copyOf(verbs);
        adjectives = List.copyOf(adjectives);
    }

    /** Every content word of the topic, the subreddit name included. */
    public List<String> words() {
        var all = new ArrayList<String>();
        all.add(subreddit);
        all.addAll(nouns);
        all.addAll(verbs);
        all.addAll(adjectives);
        return all;
    }
}
