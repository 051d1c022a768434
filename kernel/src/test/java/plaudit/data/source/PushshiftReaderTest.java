package plaudit.data.source;

import com.github.luben.zstd.ZstdInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.data.Comment;
import plaudit.data.DataStats;
import plaudit.data.Fixtures;
import plaudit.data.Post;
import plaudit.data.SkipReason;
import plaudit.data.io.InputFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PushshiftReaderTest {
    private final PushshiftReader reader = new PushshiftReader();

    @Test
    void submissionsAcrossSchemaEras() {
        Fixtures.Collected got = Fixtures.read(reader, Fixtures.path("reddit/RS_fixture.ndjson"));
        assertEquals(7, got.records());
        assertEquals(7, got.posts.size());
        assertEquals(0, got.comments.size());

        Post p1 = got.post("t3_p1abc");
        assertEquals("r/AskCulinary\nTITLE: Why does my garlic burn?\nPOST: I keep burning garlic in the pan. What am I doing wrong?\nREPLY:", p1.prompt());
        assertEquals(57, p1.score());
        assertEquals(1569888142L, p1.createdUtc());
        assertTrue(p1.selfPost());
        assertFalse(p1.edited() || p1.nsfw() || p1.removed());

        // 2014 era: created_utc as a string; Reddit's &amp; &lt; &gt; escapes undone in title and body
        Post p2 = got.post("t3_p2def");
        assertEquals(1409529601L, p2.createdUtc());
        assertTrue(p2.prompt().contains("TITLE: Beginner knife > expensive knife?\nPOST: Which knife should a beginner buy & why? Budget < $50."));

        // 2005 era: no name, no is_self; an empty selftext means a link post
        assertFalse(got.post("t3_87").selfPost());
        assertEquals("reddit.com", got.post("t3_87").community());
        // 2024 era: float created_utc, edited as a float timestamp, extra _meta object
        Post edited = got.post("t3_1afwvx1");
        assertTrue(edited.edited());
        assertEquals(1706745600L, edited.createdUtc());
        // [removed] selftext with removed_by_category; over_18
        assertTrue(got.post("t3_p5rem").removed());
        assertTrue(got.post("t3_p5rem").prompt().endsWith("POST: \nREPLY:"), "removed text is not put in the prompt");
        assertTrue(got.post("t3_p6nsf").nsfw());
    }

    @Test
    void commentsWithTypeDriftAndDeletedMarkers() {
        Fixtures.Collected got = Fixtures.read(reader, Fixtures.path("reddit/RC_fixture.ndjson"));
        assertEquals(19, got.comments.size(), "the last line has no newline and still counts");
        assertEquals(0, got.stats.skipped(DataStats.Unit.RECORDS));

        Comment c1 = got.comment("t1_c1");
        assertEquals("t3_p1abc", c1.threadId());
        assertTrue(c1.isTopLevel());
        assertEquals(0, c1.depth());
        assertEquals("alice", c1.author());

        Comment c3 = got.comment("t1_c3");
        assertEquals(12, c3.score(), "score given as a string");
        assertEquals(1569888442L, c3.createdUtc(), "created_utc given as a float");

        Comment reply = got.comment("t1_c4");
        assertFalse(reply.isTopLevel());
        assertEquals("t1_c1", reply.parentId());
        assertEquals(-1, reply.depth(), "depth of a reply is resolved when the thread is assembled");

        assertEquals("[deleted]", got.comment("t1_c5").author());
        assertEquals("[removed]", got.comment("t1_c10").text());
        assertEquals("> What am I doing wrong?\n\nNothing & everything: use a timer.", got.comment("t1_c9").text());
        assertEquals(1706746000L, got.comment("t1_kod0s1").createdUtc());
    }

    @Test
    void longWindowZstdAsPushshiftWroteIt(@TempDir Path dir) throws IOException {
        Path plain = Fixtures.path("reddit/RC_fixture.ndjson");
        Path zst = Fixtures.zstd(plain, dir.resolve("RC_fixture.zst"), 31);
        try (InputStream in = new ZstdInputStream(Files.newInputStream(zst))) {
            assertThrows(IOException.class, in::readAllBytes, "a default decoder refuses a 2 GiB window");
        }
        Fixtures.Collected got = Fixtures.read(reader, zst);
        assertEquals(19, got.comments.size());
        assertEquals("RC_fixture.zst", got.comments.get(0).file());
    }

    @Test
    void truncatedZstdGivesTheValidPrefixThenAClearError(@TempDir Path dir) throws IOException {
        // enough lines that the cut falls well after the first decoded block
        StringBuilder big = new StringBuilder();
        String line = Files.readAllLines(Fixtures.path("reddit/RC_fixture.ndjson")).get(0);
        for (int i = 0; i < 4000; i++) big.append(line.replace("\"id\":\"c1\"", "\"id\":\"x" + i + "\"")).append('\n');
        Path plain = Files.writeString(dir.resolve("RC_big.ndjson"), big);
        Path zst = Fixtures.zstd(plain, dir.resolve("RC_big.zst"), 31);
        byte[] bytes = Files.readAllBytes(zst);
        Path cut = Files.write(dir.resolve("RC_cut.zst"), Arrays.copyOf(bytes, bytes.length * 2 / 3));

        Fixtures.Collected got = new Fixtures.Collected();
        DataStats stats = new DataStats();
        UserError e = assertThrows(UserError.class, () -> {
            try (var in = InputFile.open(cut)) {
                reader.read(in, got, stats);
            }
        });
        assertTrue(e.getMessage().contains("RC_cut.zst"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated or corrupt zstd data at compressed byte"), e.getMessage());
        assertTrue(e.getMessage().contains("after line " + stats.read(DataStats.Unit.RECORDS)), e.getMessage());
        assertTrue(got.comments.size() > 100, "the valid prefix was delivered: " + got.comments.size());
        for (int i = 0; i < got.comments.size(); i++) assertEquals("t1_x" + i, got.comments.get(i).id());
    }

    @Test
    void recordsOfNeitherKindAndMissingFieldsAreCounted(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("RC_odd.ndjson"), String.join("\n",
                "{\"id\":\"a\",\"body\":\"no thread\",\"score\":3,\"created_utc\":1}",
                "{\"id\":\"b\",\"link_id\":\"t3_x\",\"parent_id\":\"t3_x\",\"score\":3,\"created_utc\":1}",
                "{\"id\":\"c\",\"link_id\":\"x\",\"parent_id\":\"t3_x\",\"body\":\"ok\",\"score\":{\"up\":3},\"created_utc\":1}",
                "{\"id\":\"d\",\"link_id\":\"x\",\"parent_id\":\"t3_x\",\"body\":\"ok\",\"score\":\"many\",\"created_utc\":1}",
                "{\"id\":\"e\",\"link_id\":\"x\",\"parent_id\":\"t3_x\",\"body\":\"ok\",\"score\":7,\"created_utc\":1,\"author\":null}",
                ""));
        Fixtures.Collected got = Fixtures.read(reader, f);
        assertEquals(1, got.skipped(SkipReason.UNKNOWN_RECORD));
        assertEquals(1, got.skipped(SkipReason.MISSING_FIELD));
        assertEquals(2, got.skipped(SkipReason.WRONG_TYPE));
        assertEquals("RC_odd.ndjson:3 (score: expected a number, got start_object)",
                got.stats.examples(DataStats.Unit.RECORDS, SkipReason.WRONG_TYPE).get(0));
        Comment e = got.comment("t1_e");
        assertEquals("t3_x", e.threadId(), "a bare link_id gets its t3_ prefix");
        assertNull(e.author());
        assertArrayEquals(new long[] {5, 1}, new long[] {got.records(), got.delivered()});
    }
}
