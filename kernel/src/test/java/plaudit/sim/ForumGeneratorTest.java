package plaudit.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForumGeneratorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FILES = List.of("RS_forum.ndjson", "RC_forum.ndjson", "forum_meta.json",
            "corpus.txt");

    @TempDir
    Path tmp;

    private static ForumConfig config(long seed) {
        return ForumConfig.builder().threads(80).seed(seed).build();
    }

    private static void generate(ForumConfig config, Path dir, boolean zst) throws IOException {
        Forum forum = new ForumGenerator(config).generate();
        List<Path> files = new PushshiftWriter(forum).write(dir, "forum", zst);
        CorpusWriter.write(forum, dir.resolve("corpus.txt"));
        ForumMeta.write(ForumMeta.of(forum, ForumStats.of(forum), NoiseCeiling.of(forum),
                files.stream().map(f -> f.getFileName().toString()).toList()), dir.resolve(ForumMeta.FILE_NAME));
    }

    @Test
    void sameSeedGivesByteIdenticalFilesAndAnotherSeedDoesNot() throws IOException {
        generate(config(11), tmp.resolve("a"), false);
        generate(config(11), tmp.resolve("b"), false);
        generate(config(12), tmp.resolve("c"), false);
        for (String f : FILES) {
            byte[] a = Files.readAllBytes(tmp.resolve("a").resolve(f));
            assertArrayEquals(a, Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
            assertFalse(Arrays.equals(a, Files.readAllBytes(tmp.resolve("c").resolve(f))), f);
        }
    }

    @Test
    void zstFilesHoldTheSameLines() throws IOException {
        generate(config(11), tmp.resolve("plain"), false);
        generate(config(11), tmp.resolve("zst"), true);
        for (String kind : List.of("RS", "RC")) {
            byte[] plain = Files.readAllBytes(tmp.resolve("plain").resolve(kind + "_forum.ndjson"));
            try (InputStream in = new ZstdInputStream(Files.newInputStream(tmp.resolve("zst").resolve(kind + "_forum.zst")))) {
                assertArrayEquals(plain, in.readAllBytes(), kind);
            }
        }
    }

    @Test
    void linesAreJsonWithThePushshiftFields() throws IOException {
        Path dir = tmp.resolve("f");
        generate(ForumConfig.builder().threads(300).seed(3).build(), dir, false);
        Map<String, Integer> numComments = new HashMap<>();
        Set<String> commentIds = new HashSet<>();
        long lastCreated = Long.MIN_VALUE;
        int below10 = 0, deletedPosts = 0;
        for (String line : Files.readAllLines(dir.resolve("RS_forum.ndjson"))) {
            JsonNode s = JSON.readTree(line);
            for (String f : List.of("id", "name", "subreddit", "subreddit_id", "title", "selftext", "author", "score",
                    "created_utc", "num_comments", "permalink", "over_18", "edited", "url", "retrieved_on")) {
                assertTrue(s.has(f), "submission lacks " + f + ": " + line);
            }
            String id = s.get("id").asText();
            assertTrue(id.matches("[0-9a-z]+"), id);
            assertEquals("t3_" + id, s.get("name").asText());
            assertTrue(s.get("subreddit_id").asText().startsWith("t5_"));
            assertTrue(s.get("permalink").asText().startsWith("/r/" + s.get("subreddit").asText() + "/comments/" + id + "/"));
            assertTrue(s.get("edited").isBoolean() || s.get("edited").isNumber());
            long created = created(s.get("created_utc"));
            assertTrue(created >= lastCreated, "submissions sorted by time");
            lastCreated = created;
            numComments.put("t3_" + id, s.get("num_comments").asInt());
            if (s.get("score").asInt() < 10) below10++;
            if (s.get("selftext").asText().matches("\\[(deleted|removed)]")) deletedPosts++;
        }
        assertEquals(300, numComments.size());
        assertTrue(below10 > 10 && below10 < 200, "some posts below 10: " + below10);
        assertTrue(deletedPosts > 0);

        Map<String, Integer> seen = new HashMap<>();
        Set<String> formats = new HashSet<>();
        int nested = 0, deleted = 0, removed = 0, automod = 0, nonPositive = 0, edited = 0;
        lastCreated = Long.MIN_VALUE;
        for (String line : Files.readAllLines(dir.resolve("RC_forum.ndjson"))) {
            JsonNode c = JSON.readTree(line);
            for (String f : List.of("id", "name", "link_id", "parent_id", "body", "author", "score", "created_utc",
                    "subreddit", "subreddit_id", "controversiality", "edited", "stickied", "distinguished")) {
                assertTrue(c.has(f), "comment lacks " + f + ": " + line);
            }
            String id = c.get("id").asText();
            assertTrue(id.matches("[0-9a-z]+") && commentIds.add(id), "unique base-36 id " + id);
            assertEquals("t1_" + id, c.get("name").asText());
            String link = c.get("link_id").asText();
            assertTrue(numComments.containsKey(link), "link_id names a post: " + link);
            seen.merge(link, 1, Integer::sum);
            String parent = c.get("parent_id").asText();
            if (parent.startsWith("t1_")) {
                nested++;
                assertTrue(commentIds.contains(parent.substring(3)), "parent written before its reply");
            } else {
                assertEquals(link, parent);
            }
            long created = created(c.get("created_utc"));
            assertTrue(created >= lastCreated, "comments sorted by time");
            lastCreated = created;
            formats.add(c.get("created_utc").getNodeType().toString());
            String body = c.get("body").asText();
            if (body.equals("[deleted]")) {
                deleted++;
                assertEquals("[deleted]", c.get("author").asText());
            }
            if (body.equals("[removed]")) removed++;
            if (c.get("author").asText().equals("AutoModerator")) {
                automod++;
                assertTrue(c.get("stickied").asBoolean());
            }
            if (c.get("score").asInt() <= 0) nonPositive++;
            if (c.get("edited").isNumber()) edited++;
        }
        assertEquals(numComments.entrySet().stream().filter(e -> e.getValue() > 0).count(), seen.size());
        seen.forEach((link, n) -> assertEquals(numComments.get(link), n, "num_comments of " + link));
        assertTrue(nested > 0 && deleted > 0 && removed > 0 && automod > 0 && nonPositive > 0 && edited > 0,
                List.of(nested, deleted, removed, automod, nonPositive, edited).toString());
        assertEquals(Set.of("NUMBER", "STRING"), formats, "mixed created_utc");

        JsonNode meta = JSON.readTree(dir.resolve(ForumMeta.FILE_NAME).toFile());
        assertEquals(300, meta.get("config").get("threads").asInt());
        assertEquals(commentIds.size(), meta.get("counts").get("comments").asInt());
        assertTrue(meta.get("noise_ceiling").get("agreement").isNumber());
    }

    @Test
    void timeFormatKnobIsObeyed() throws IOException {
        for (ForumConfig.TimeFormat format : List.of(ForumConfig.TimeFormat.INT, ForumConfig.TimeFormat.FLOAT,
                ForumConfig.TimeFormat.STRING)) {
            Path dir = tmp.resolve(format.name());
            Forum forum = new ForumGenerator(ForumConfig.builder().threads(5).timeFormat(format).build()).generate();
            new PushshiftWriter(forum).write(dir, "forum", false);
            for (String line : Files.readAllLines(dir.resolve("RC_forum.ndjson"))) {
                JsonNode t = JSON.readTree(line).get("created_utc");
                switch (format) {
                    case INT -> assertTrue(t.isIntegralNumber(), line);
                    case FLOAT -> assertTrue(t.isDouble() || t.isBigDecimal(), line);
                    default -> assertTrue(t.isTextual(), line);
                }
            }
        }
    }

    @Test
    void corpusHasOneDocumentPerThread() throws IOException {
        Path dir = tmp.resolve("corpus");
        generate(config(5), dir, false);
        List<String> lines = Files.readAllLines(dir.resolve("corpus.txt"));
        assertEquals(80, lines.stream().filter(CorpusWriter.END_OF_TEXT::equals).count());
        assertEquals(CorpusWriter.END_OF_TEXT, lines.get(lines.size() - 1));
        assertTrue(lines.stream().noneMatch(l -> l.contains("[deleted]") || l.contains("i am a bot")));
    }

    private static long created(JsonNode t) {
        return t.isTextual() ? Long.parseLong(t.asText()) : t.asLong();
    }
}
