package plaudit.data;

/**
 * The one place where posts become prompt text. SFT, the reward model and PPO all read prompts produced here, so a
 * model sees the same layout in every stage. Each prompt ends in a cue ({@code REPLY:} / {@code ANSWER:}) and each
 * response starts with a space ({@link #response}), so {@code prompt + response} reads naturally and a tokenizer
 * splits the cue from the reply the same way everywhere.
 *
 * <pre>
 * reddit:        r/{subreddit}\nTITLE: {title}\nPOST: {selftext}\nREPLY:
 * shp:           r/{subreddit}\nPOST: {history}\nREPLY:          (SHP's history is the title and body already joined)
 * stackexchange: {site}\nTITLE: {title}\nQUESTION: {body}\nANSWER:
 * hn:            Hacker News\nTITLE: {title}\nPOST: {text, or the url for a link story}\nREPLY:
 * csv:           [{community}\n][TITLE: {title}\n]POST: {text}\nREPLY:
 * </pre>
 */
public final class PromptFormat {
    private PromptFormat() {
    }

    public static String reddit(String subreddit, String title, String selftext) {
        return "r/" + subreddit + "\nTITLE: " + title + "\nPOST: " + selftext + "\nREPLY:";
    }

    public static String shp(String subreddit, String history) {
        return "r/" + subreddit + "\nPOST: " + history + "\nREPLY:";
    }

    public static String stackExchange(String site, String title, String body) {
        return site + "\nTITLE: " + title + "\nQUESTION: " + body + "\nANSWER:";
    }

    public static String hackerNews(String title, String textOrUrl) {
        return "Hacker News\nTITLE: " + title + "\nPOST: " + textOrUrl + "\nREPLY:";
    }

    /** For mapped CSV/JSONL input; the community and title lines are left out when those columns are not mapped. */
    public static String generic(String community, String title, String text) {
        StringBuilder sb = new StringBuilder();
        if (community != null && !community.isEmpty()) sb.append(community).append('\n');
        if (title != null && !title.isEmpty()) sb.append("TITLE: ").append(title).append('\n');
        return sb.append("POST: ").append(text).append("\nREPLY:").toString();
    }

    /** A reply as it follows the prompt: with one leading space added unless it already starts with one. */
    public static String response(String text) {
        return text.startsWith(" ") ? text : " " + text;
    }
}
