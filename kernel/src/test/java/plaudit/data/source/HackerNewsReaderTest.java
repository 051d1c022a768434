package plaudit.data.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.data.DataStats;
import plaudit.data.Fixtures;
import plaudit.data.Post;
import plaudit.data.SkipReason;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HackerNewsReaderTest {
    private final HackerNewsReader reader = new HackerNewsReader();

    @Test
    void apiItemsAsJsonLines() {
        Fixtures.Collected got = Fixtures.read(reader, Fixtures.path("hn/items.jsonl"));
        assertEquals(10, got.records());
        assertEquals(2, got.posts.size());
        assertEquals(7, got.comments.size());
        assertEquals(1, got.skipped(SkipReason.UNKNOWN_RECORD), "the job item");

        Post story = got.post("hn/100");
        assertEquals(List.of("hn/101", "hn/102", "hn/103", "hn/104", "hn/105"), story.rankedReplies());
        assertEquals("Hacker News\nTITLE: Ask HN: How do you learn a new language?\n"
                + "POST: What is your favourite way to learn a new programming language?\n\nI'm looking for concrete routines.\nREPLY:",
                story.prompt());
        assertTrue(story.selfPost());
        assertFalse(got.post("hn/300").selfPost(), "a link story");
        assertTrue(got.post("hn/300").prompt().contains("POST: https://example.com/article"));

        assertEquals("Exercism tracks, one per day: https://exercism.org", got.comment("hn/105").text());
        assertEquals("[deleted]", got.comment("hn/104").text(), "deleted items have no text");
        assertEquals("[deleted]", got.comment("hn/107").text(), "dead (flagged) items count as deleted");
        assertEquals("hn/101", got.comment("hn/106").threadId(), "a reply's story is unknown: its parent stands in");
    }

    @Test
    void crawlWrapperDocument() {
        Fixtures.Collected got = Fixtures.read(reader, Fixtures.path("hn/thread.json"));
        assertEquals(4, got.records());
        assertEquals(List.of("hn/502", "hn/501", "hn/503"), got.post("hn/500").rankedReplies());
        assertEquals(3, got.comments.size());
        assertEquals(2, got.post("hn/500").line(), "the line where the item starts");
        assertEquals(18, got.comments.get(0).line());
    }

    @Test
    void arrayDocumentAndBrokenDocument(@TempDir Path dir) throws IOException {
        Path array = Files.writeString(dir.resolve("items.json"), "[\n {\"id\": 1, \"type\": \"story\", \"title\": \"t\", \"time\": 5,\n  \"kids\": [2]},\n"
                + " {\"id\": 2, \"type\": \"comment\", \"parent\": 1, \"text\": \"hi\", \"time\": 6},\n 7\n]\n");
        Fixtures.Collected got = Fixtures.read(reader, array);
        assertEquals(1, got.posts.size());
        assertEquals(1, got.comments.size());
        assertEquals(1, got.skipped(SkipReason.NOT_AN_OBJECT), "the 7");

        Path broken = Files.writeString(dir.resolve("broken.json"), "{\n \"post\": {\"id\": 1, \"type\": \"story\",\n");
        UserError e = assertThrows(UserError.class, () -> Fixtures.read(reader, broken, new DataStats()));
        assertTrue(e.getMessage().contains("broken.json: not valid JSON at line"), e.getMessage());
    }
}
