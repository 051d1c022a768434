package plaudit.data;

import java.util.List;

/**
 * The root of a thread: a Reddit submission, a Stack Exchange question, a Hacker News story, or a mapped CSV row.
 * The reader renders the post into its {@link PromptFormat prompt} once, so later stages never re-format sources.
 *
 * @param threadId      globally unique thread id ({@code t3_abc}, {@code coffee.stackexchange.com/12}, {@code hn/8863});
 *                      a top-level comment's parent id equals it
 * @param community     subreddit, Stack Exchange site, "hn", or the mapped community column; used for statistics
 * @param prompt        the rendered prompt, ending in the reply cue (e.g. {@code REPLY:})
 * @param author        author name, {@code [deleted]} when deleted, null when the source has none
 * @param score         net upvotes (0 where the source has none)
 * @param createdUtc    creation time, epoch seconds
 * @param edited        edited after posting (Reddit's {@code edited} is false or an edit timestamp)
 * @param nsfw          marked over-18
 * @param removed       the post's text was deleted or removed by a moderator
 * @param selfPost      a text post (a question), rather than a bare link
 * @param rankedReplies ids of the direct replies in the site's display order, for sources without comment scores
 *                      (Hacker News {@code kids}); empty otherwise
 * @param acceptedReply id of the reply the asker accepted (Stack Exchange {@code AcceptedAnswerId}), or null
 * @param file          input file name, for skip reports
 * @param line          1-based line in that file
 */
public record Post(String threadId, String community, String prompt, String author, int score, long createdUtc,
                   boolean edited, boolean nsfw, boolean removed, boolean selfPost, List<String> rankedReplies,
                   String acceptedReply, String file, long line) {
    public Post {
        rankedReplies = List.copyOf(rankedReplies);
    }
}
