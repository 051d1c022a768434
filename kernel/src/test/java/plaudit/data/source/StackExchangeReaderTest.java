package plaudit.data.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.data.Comment;
import plaudit.data.DataStats;
import plaudit.data.Fixtures;
import plaudit.data.Post;
import plaudit.data.SkipReason;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackExchangeReaderTest {
    private final StackExchangeReader reader = new StackExchangeReader();

    @Test
    void questionsAnswersAndStructureOfADumpFile() {
        Fixtures.Collected got = Fixtures.read(reader, Fixtures.path("stackexchange/coffee.stackexchange.com/Posts.xml"));
        // BOM, XML declaration, <posts> and </posts> are structure, not records; CRLF line ends are accepted
        assertEquals(11, got.records());
        assertEquals(2, got.posts.size());
        assertEquals(7, got.comments.size());
        assertEquals(2, got.skipped(SkipReason.UNKNOWN_RECORD), "tag wiki rows (types 4, 5)");

        Post q = got.post("coffee.stackexchange.com/1");
        assertEquals("coffee.stackexchange.com\nTITLE: Grind size for a French press & why?\n"
                + "QUESTION: How coarse should I grind for a French press?\n\nI use a burr grinder & a 1 L press.\nANSWER:", q.prompt());
        assertEquals(15, q.score());
        assertEquals(1689621841L, q.createdUtc(), "CreationDate is UTC without a zone");
        assertEquals("coffee.stackexchange.com/3", q.acceptedReply());
        assertEquals("user8", q.author());

        Comment a3 = got.comment("coffee.stackexchange.com/3");
        assertEquals("coffee.stackexchange.com/1", a3.threadId());
        assertTrue(a3.isTopLevel());
        assertEquals("Coarse, like sea salt:\n\n- fines pass the mesh\n- steep 4 min", a3.text());
        assertEquals(-1, got.comment("coffee.stackexchange.com/4").score());
        assertEquals("user123", got.comment("coffee.stackexchange.com/9").author(), "deleted user: OwnerDisplayName");
        assertEquals("Medium-coarse; see this chart.", got.comment("coffee.stackexchange.com/9").text());
        assertEquals("Community", got.comment("coffee.stackexchange.com/10").author());
        assertEquals("guest42", got.post("coffee.stackexchange.com/7").author());
        assertNull(got.post("coffee.stackexchange.com/7").acceptedReply());
    }

    @Test
    void siteNameComesFromThePath() {
        assertEquals("coffee.stackexchange.com", StackExchangeReader.site(Path.of("dumps/coffee.stackexchange.com/Posts.xml")));
        assertEquals("genai.stackexchange.com", StackExchangeReader.site(Path.of("genai.stackexchange.com_2023-12_Posts.xml")));
        assertEquals("meta.example.com", StackExchangeReader.site(Path.of("meta.example.com/Posts.xml.zst")));
    }

    @Test
    void badRowsAreSkippedAndReadingGoesOn(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("bad_Posts.xml"), String.join("\n",
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
                "<posts>",
                "  <row Id=\"1\" PostTypeId=\"1\" CreationDate=\"2020-01-01T00:00:00.000\" Score=\"20\" Body=\"&lt;p&gt;Q &bogus; here&lt;/p&gt;\" Title=\"T\" />",
                "  <row Id=\"2\" PostTypeId=\"2\" ParentId=\"1\" CreationDate=\"2020-01-02T00:00:00.000\" Score=\"3\" Body=\"trunc",
                "  <row Id=\"3\" PostTypeId=\"2\" ParentId=\"1\" CreationDate=\"yesterday\" Score=\"3\" Body=\"x\" />",
                "  <row Id=\"4\" PostTypeId=\"2\" ParentId=\"1\" CreationDate=\"2020-01-02T00:00:00.000\" Score=\"3\" Body=\"fine\" />",
                "  <row Id=\"5\" PostTypeId=\"1\" CreationDate=\"2020-01-02T00:00:00.000\" Score=\"3\" Body=\"no title\" />",
                "</posts>"));
        Fixtures.Collected got = Fixtures.read(reader, f);
        assertEquals(5, got.records());
        assertEquals(2, got.skipped(SkipReason.INVALID_XML), "undefined entity, truncated row");
        assertEquals(1, got.skipped(SkipReason.WRONG_TYPE));
        assertEquals(1, got.skipped(SkipReason.MISSING_FIELD));
        assertEquals(1, got.comments.size());
        assertEquals("bad_Posts.xml:3", got.stats.examples(DataStats.Unit.RECORDS, SkipReason.INVALID_XML).get(0).split(" ")[0]);
    }
}
