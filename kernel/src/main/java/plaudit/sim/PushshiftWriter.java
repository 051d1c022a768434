package plaudit.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a {@link Forum} as Pushshift dumps: one JSON object per line, submissions ({@code RS_…}) and comments
 * ({@code RC_…}) each sorted by {@code created_utc}, optionally zstd-compressed like the real monthly files.
 *
 * <p>Ids are base-36 and increase with time, with random gaps (other subreddits' items take the numbers between, as
 * in a real dump). Fields follow the 2015–2019 dumps: submissions carry {@code id, name, subreddit, subreddit_id,
 * title, selftext, author, score, ups, upvote_ratio, created_utc, num_comments, permalink, url, over_18, edited, …};
 * comments carry {@code id, name, link_id, parent_id, body, author, score, ups, created_utc, subreddit,
 * controversiality, edited, stickied, distinguished, is_submitter, …}. {@code created_utc} is written as
 * {@link ForumConfig#timeFormat()} says; {@code edited} is {@code false} or a timestamp.
 */
public final class PushshiftWriter {

    /** Base-36 ids of the first post and comment, in the range real 2021 ids use. */
    private static final long FIRST_POST_ID = Long.parseLong("kq0000", 36);
    private static final long FIRST_COMMENT_ID = Long.parseLong("ghk0000", 36);
    /** Dumps are collected some weeks after posting. */
    private static final long RETRIEVAL_DELAY_S = 35 * 86_400L;
    private static final int ZSTD_LEVEL = 12;

    private final Forum forum;
    private final ObjectMapper json = new ObjectMapper();
    private final String[] postIds;
    private final String[][] commentIds;
    /** (thread, comment) pairs in the order of the comment file. */
    private final List<int[]> commentOrder = new ArrayList<>();

    public PushshiftWriter(Forum forum) {
        this.forum = forum;
        SplittableRandom rng = new SplittableRandom(Draw.mix(forum.config().seed(), -2));
        List<ForumThread> threads = forum.threads();
        postIds = new String[threads.size()];
        long next = FIRST_POST_ID;
        for (int t = 0; t < threads.size(); t++) {
            postIds[t] = Long.toString(next, 36);
            next += 1 + rng.nextInt(40);
        }
        commentIds = new String[threads.size()][];
        for (int t = 0; t < threads.size(); t++) {
            commentIds[t] = new String[threads.get(t).comments().size()];
            for (int c = 0; c < commentIds[t].length; c++) commentOrder.add(new int[] {t, c});
        }
        commentOrder.sort(Comparator.<int[]>comparingLong(tc -> threads.get(tc[0]).comments().get(tc[1]).createdUtc())
                .thenComparingInt(tc -> tc[0]).thenComparingInt(tc -> tc[1]));
        next = FIRST_COMMENT_ID;
        for (int[] tc : commentOrder) {
            commentIds[tc[0]][tc[1]] = Long.toString(next, 36);
            next += 1 + rng.nextInt(200);
        }
    }

    /** Writes {@code RS_<name>} and {@code RC_<name>} ({@code .ndjson}, or {@code .zst} when compressed). */
    public List<Path> write(Path dir, String name, boolean zst) throws IOException {
        Files.createDirectories(dir);
        String ext = zst ? ".zst" : ".ndjson";
        Path rs = dir.resolve("RS_" + name + ext);
        Path rc = dir.resolve("RC_" + name + ext);
        try (Writer w = open(rs, zst)) {
            writeSubmissions(w);
        }
        try (Writer w = open(rc, zst)) {
            writeComments(w);
        }
        return List.of(rs, rc);
    }

    private static Writer open(Path file, boolean zst) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        if (zst) out = new ZstdOutputStream(out, ZSTD_LEVEL);
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    }

    public void writeSubmissions(Writer w) throws IOException {
        for (int t = 0; t < forum.threads().size(); t++) {
            w.write(line(submission(t)));
            w.write('\n');
        }
    }

    public void writeComments(Writer w) throws IOException {
        for (int[] tc : commentOrder) {
            w.write(line(comment(tc[0], tc[1])));
            w.write('\n');
        }
    }

    private Map<String, Object> submission(int t) {
        ForumThread thread = forum.threads().get(t);
        Post p = thread.post();
        Topic topic = ForumLanguage.standard().topic(p.subreddit());
        String id = postIds[t];
        String permalink = "/r/" + p.subreddit() + "/comments/" + id + "/" + slug(p.title()) + "/";
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("author", p.author());
        m.put("author_flair_text", null);
        m.put("created_utc", time(p.createdUtc(), id));
        m.put("distinguished", null);
        m.put("domain", "self." + p.subreddit());
        m.put("edited", edited(p.editedUtc()));
        m.put("gilded", 0);
        m.put("id", id);
        m.put("is_self", true);
        m.put("link_flair_text", null);
        m.put("locked", false);
        m.put("name", "t3_" + id);
        m.put("num_comments", thread.comments().size());
        m.put("over_18", false);
        m.put("permalink", permalink);
        m.put("removed_by_category", switch (p.status()) {
            case LIVE -> null;
            case DELETED -> "deleted";
            case REMOVED -> "moderator";
        });
        m.put("retrieved_on", p.createdUtc() + RETRIEVAL_DELAY_S);
        m.put("score", p.score());
        m.put("selftext", p.selftext());
        m.put("stickied", false);
        m.put("subreddit", p.subreddit());
        m.put("subreddit_id", topic.subredditId());
        m.put("subreddit_name_prefixed", "r/" + p.subreddit());
        m.put("title", p.title());
        m.put("ups", p.score());
        int votes = p.ups() + p.downs();
        m.put("upvote_ratio", votes == 0 ? BigDecimal.ONE : BigDecimal.valueOf(Math.round(100.0 * p.ups() / votes), 2));
        m.put("url", "https://www.reddit.com" + permalink);
        return m;
    }

    private Map<String, Object> comment(int t, int c) {
        ForumThread thread = forum.threads().get(t);
        Post p = thread.post();
        Comment k = thread.comments().get(c);
        String postId = postIds[t];
        String id = commentIds[t][c];
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("author", k.shownAuthor());
        m.put("author_flair_css_class", null);
        m.put("author_flair_text", null);
        m.put("body", k.body());
        m.put("controversiality", k.controversiality());
        m.put("created_utc", time(k.createdUtc(), id));
        m.put("distinguished", k.automod() ? "moderator" : null);
        m.put("edited", edited(k.editedUtc()));
        m.put("gilded", 0);
        m.put("id", id);
        m.put("is_submitter", k.bySubmitter());
        m.put("link_id", "t3_" + postId);
        m.put("name", "t1_" + id);
        m.put("parent_id", k.topLevel() ? "t3_" + postId : "t1_" + commentIds[t][k.parent()]);
        m.put("permalink", "/r/" + p.subreddit() + "/comments/" + postId + "/" + slug(p.title()) + "/" + id + "/");
        m.put("retrieved_on", k.createdUtc() + RETRIEVAL_DELAY_S);
        m.put("score", k.score());
        m.put("score_hidden", false);
        m.put("stickied", k.automod());
        m.put("subreddit", p.subreddit());
        m.put("subreddit_id", ForumLanguage.standard().topic(p.subreddit()).subredditId());
        m.put("ups", k.score());
        return m;
    }

    /** {@code created_utc} in the configured format; in mixed files the item's id picks int or string. */
    private Object time(long utc, String id) {
        return switch (forum.config().timeFormat()) {
            case INT -> utc;
            case FLOAT -> BigDecimal.valueOf(utc).setScale(1);
            case STRING -> Long.toString(utc);
            case MIXED -> (Draw.mix(forum.config().seed(), Long.parseLong(id, 36)) & 1) == 0 ? utc : Long.toString(utc);
        };
    }

    /** {@code false}, or the edit time: a float in float and mixed files (as in 2020 dumps), else an int. */
    private Object edited(long utc) {
        if (utc < 0) return false;
        return switch (forum.config().timeFormat()) {
            case FLOAT, MIXED -> BigDecimal.valueOf(utc).setScale(1);
            case INT, STRING -> utc;
        };
    }

    private String line(Map<String, Object> m) {
        try {
            return json.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reddit's permalink slug: lower-case title words joined by underscores, at most 50 characters. */
    static String slug(String title) {
        String s = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 ]", "").trim().replaceAll(" +", "_");
        return s.length() <= 50 ? s : s.substring(0, 50).replaceAll("_[^_]*$", "");
    }
}
