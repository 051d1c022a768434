package plaudit.data.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.data.DataStats;
import plaudit.data.Fixtures;
import plaudit.data.SkipReason;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MappedReaderTest {
    private static final ColumnMap MAP = ColumnMap.parse(
            "thread=post_id,parent=parent_id,text=body,score=score,time=created,author=author,title=title");

    @Test
    void csvRowsBecomePostsAndComments() {
        Fixtures.Collected got = Fixtures.read(new MappedReader(MAP), Fixtures.path("csv/threads.csv"));
        assertEquals(7, got.records());
        assertEquals(1, got.posts.size());
        assertEquals(5, got.comments.size());
        assertEquals(1, got.skipped(SkipReason.WRONG_TYPE), "score 'abc'");

        assertEquals("TITLE: Cold brew at home\nPOST: How do I make cold brew, and how long should it steep?\nREPLY:",
                got.post("t1").prompt());
        assertEquals(1682935200L, got.post("t1").createdUtc(), "ISO-8601 time");
        var cat = got.comments.stream().filter(c -> "cat".equals(c.author())).findFirst().orElseThrow();
        assertEquals("Steep 12 to 18 hours.\nLonger gets bitter.", cat.text(), "a quoted field spanning lines");
        assertEquals(1682942400L, cat.createdUtc(), "epoch-seconds time");
        assertTrue(cat.isTopLevel());
        var dan = got.comments.stream().filter(c -> "dan".equals(c.author())).findFirst().orElseThrow();
        assertEquals(-1, dan.depth(), "a reply to a comment");
    }

    @Test
    void jsonLinesWithTheSameMapping(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("t.jsonl"),
                "{\"post_id\":\"t9\",\"parent_id\":null,\"body\":\"Q?\",\"score\":11,\"created\":1700000000}\n"
                        + "{\"post_id\":\"t9\",\"parent_id\":\"t9\",\"body\":\"A.\",\"score\":3.0,\"created\":\"1700000100\"}\n"
                        + "{\"post_id\":\"t9\",\"parent_id\":\"t9\",\"score\":3,\"created\":1700000100}\n");
        DataStats stats = new DataStats();
        Fixtures.Collected got = Fixtures.read(new MappedReader(ColumnMap.parse(
                "thread=post_id,parent=parent_id,text=body,score=score,time=created")), f, stats);
        assertEquals(1, got.posts.size());
        assertEquals(1, got.comments.size());
        assertEquals(3, got.comments.get(0).score());
        assertEquals(1, stats.skipped(DataStats.Unit.RECORDS, SkipReason.MISSING_FIELD));
    }

    @Test
    void badMappingsAreUserErrors(@TempDir Path dir) throws IOException {
        assertTrue(assertThrows(UserError.class, () -> ColumnMap.parse("thread=a,text=b,score=c")).getMessage().contains("lacks parent"));
        assertTrue(assertThrows(UserError.class, () -> ColumnMap.parse("thread=a,parent=p,text=b,score=c,votes=d")).getMessage().contains("unknown key 'votes'"));
        assertTrue(assertThrows(UserError.class, () -> ColumnMap.parse("thread=a,parent,text=b,score=c")).getMessage().contains("not key=column"));
        Path csv = Files.writeString(dir.resolve("x.csv"), "a,b\n1,2\n");
        UserError e = assertThrows(UserError.class, () -> Fixtures.read(new MappedReader(MAP), csv, new DataStats()));
        assertTrue(e.getMessage().contains("x.csv: --map names column 'post_id' but the header has a, b"), e.getMessage());
    }
}
