package plaudit.data.source;

import com.github.luben.zstd.ZstdOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.data.Child;
import plaudit.data.DataStats;
import plaudit.data.Fixtures;
import plaudit.data.PreferencePair;
import plaudit.data.SkipReason;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile inputs for every source, generated small in a temporary folder: each must end as a counted skip with its
 * line, or as one clear line of error, never as a crash, a silently kept bad value or unbounded memory. The random
 * damage of {@link plaudit.data.FuzzTest} is not repeated here; these are the targeted attacks of issue 27.
 */
@Tag("adversarial")
class HostileSourcesTest {
    private static final String SHP = "{\"post_id\":\"p1\",\"domain\":\"askculinary_train\",\"history\":\"Why?\","
            + "\"created_at_utc_A\":%s,\"created_at_utc_B\":1636822110,\"score_A\":%s,\"score_B\":%s,"
            + "\"human_ref_A\":\"Lower the heat.\",\"human_ref_B\":\"Buy pre-minced.\",\"labels\":1}";

    private static Path write(Path dir, String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    @Test
    void nonFiniteShpNumbersAreCountedSkips(@TempDir Path dir) throws IOException {
        Path f = write(dir, "shp.jsonl",
                SHP.formatted("1636822112", "10", "3"),
                SHP.formatted("1636822112", "1e400", "3"),
                SHP.formatted("1636822112", "10", "-1e400"),
                SHP.formatted("1636822112", "\"NaN\"", "3"),
                SHP.formatted("1636822112", "\"Infinity\"", "3"),
                SHP.formatted("1e400", "10", "3"),
                SHP.formatted("1636822112", "NaN", "3")); // not JSON at all
        Fixtures.Collected got = Fixtures.read(new ShpReader(), f);
        assertEquals(1, got.pairs.size());
        assertEquals(5, got.skipped(SkipReason.NON_FINITE_NUMBER));
        assertEquals(1, got.skipped(SkipReason.INVALID_JSON));
        // a JSON number is shown as the double it overflowed to
        assertEquals(List.of("shp.jsonl:2 (score_A: 'Infinity' is not a finite number)",
                        "shp.jsonl:3 (score_B: '-Infinity' is not a finite number)", "shp.jsonl:4 (score_A: 'NaN' is not a finite number)",
                        "shp.jsonl:5 (score_A: 'Infinity' is not a finite number)",
                        "shp.jsonl:6 (created_at_utc_A: 'Infinity' is not a finite number)"),
                got.stats.examples(DataStats.Unit.RECORDS, SkipReason.NON_FINITE_NUMBER));
        for (PreferencePair p : got.pairs) assertTrue(Double.isFinite(p.scoreChosen()) && Double.isFinite(p.scoreRejected()));
    }

    @Test
    void nonFiniteChosenRejectedScoresAreCountedSkips(@TempDir Path dir) throws IOException {
        String pair = "{\"prompt\":\"Q\",\"chosen\":\"a\",\"rejected\":\"b\",\"score_chosen\":%s,\"score_rejected\":2}";
        Path f = write(dir, "pairs.jsonl", pair.formatted("5"), pair.formatted("1e400"), pair.formatted("-1E+400"),
                pair.formatted("\"-Infinity\""), pair.formatted("null"));
        Fixtures.Collected got = Fixtures.read(new ChosenRejectedReader(), f);
        assertEquals(2, got.pairs.size(), "a finite score and an absent (null) one are kept");
        assertEquals(3, got.skipped(SkipReason.NON_FINITE_NUMBER));
    }

    @Test
    void nonFinitePushshiftNumbersAreCountedSkipsOnBothPaths(@TempDir Path dir) throws IOException {
        String c = "{\"id\":\"c%d\",\"link_id\":\"t3_p\",\"parent_id\":\"t3_p\",\"body\":\"hi\",\"author\":\"a\","
                + "\"score\":%s,\"created_utc\":%s}";
        Path f = write(dir, "RC.ndjson", c.formatted(1, "1e400", "1600000000"), c.formatted(2, "3", "-1e400"),
                c.formatted(3, "\"1e400\"", "1600000000"), c.formatted(4, "3", "1600000000") + " ",
                // an escaped key sends the line to the full parser
                c.formatted(5, "1e400", "1600000000").replace("\"body\"", "\"bo\\u0064y\""));
        Fixtures.Collected got = Fixtures.read(new PushshiftReader(), f);
        assertEquals(1, got.comments.size());
        assertEquals(4, got.skipped(SkipReason.NON_FINITE_NUMBER), got.stats.skipReport().toString());
    }

    /**
     * The attack of issue 27 item 6: one story whose {@code kids} array alone is larger than the heap. Run as
     * {@code plaudit pairs} in a child JVM with a 32 MiB heap (before streaming, a 54 MB document took 890 MB): it
     * must finish, skipping that story under its reason, and still pair the normal story next to it.
     */
    @Test
    void hnDocumentLargerThanTheHeapIsStreamed(@TempDir Path dir) throws Exception {
        Path doc = dir.resolve("hn.json");
        long bytes = writeHnDocument(doc, 6_000_000);
        assertTrue(bytes > 48L << 20, "the document (" + bytes + " bytes) is well beyond the child's heap");
        Path out = dir.resolve("out");
        Child r = Child.run(dir, "-Xmx32m", "plaudit.cli.PlauditCli", "pairs", "--source", "hn", "--input", doc.toString(),
                "--out", out.toString(), "--quiet", "--spill-mb", "8");
        assertEquals(0, r.status(), r.output());
        List<String> stats = Files.readAllLines(out.resolve("stats.csv"));
        assertTrue(stats.stream().anyMatch(l -> l.startsWith("skipped_records,too_many_replies,1,hn.json:")), String.join("\n", stats));
        assertTrue(stats.contains("kept,total,1,"), String.join("\n", stats));
    }

    /**
     * Threads that together outgrow the heap, read with the default {@code --spill-mb} (128) under a 32 MiB heap:
     * the grouping must spill to disk before it runs out of memory, not when its budget (larger than the heap) is
     * reached.
     */
    @Test
    void threadsLargerThanTheHeapSpillWithTheDefaultBudget(@TempDir Path dir) throws Exception {
        Path doc = dir.resolve("hn.jsonl");
        int stories = 1500, replies = 100;
        try (Writer w = Files.newBufferedWriter(doc, StandardCharsets.US_ASCII)) {
            for (int s = 0; s < stories; s++) {
                int id = 1_000_000 + s * (replies + 1);
                w.write("{\"id\":" + id + ",\"type\":\"story\",\"title\":\"Ask HN: tools " + s + "?\",\"text\":\"Which?\","
                        + "\"score\":50,\"time\":10,\"kids\":[" + (id + 1) + "," + (id + 2) + "]}\n");
                for (int i = 1; i <= replies; i++) {
                    w.write("{\"id\":" + (id + i) + ",\"type\":\"comment\",\"parent\":" + id + ",\"time\":" + (20 + i)
                            + ",\"text\":\"I use tool number " + i + " every day, and it has worked well for me.\"}\n");
                }
            }
        }
        Path out = dir.resolve("out");
        Child r = Child.run(dir, "-Xmx32m", "plaudit.cli.PlauditCli", "pairs", "--source", "hn", "--input", doc.toString(),
                "--out", out.toString(), "--quiet");
        assertEquals(0, r.status(), r.output());
        List<String> stats = Files.readAllLines(out.resolve("stats.csv"));
        assertTrue(stats.contains("read,comments," + stories * replies + ","), String.join("\n", stats));
    }

    /** A normal story (id 1, two ranked replies 3 and 4), then a story (id 2) listing {@code kids} ids. */
    private static long writeHnDocument(Path doc, int kids) throws IOException {
        try (Writer w = Files.newBufferedWriter(doc, StandardCharsets.US_ASCII)) {
            w.write("[{\"id\":1,\"type\":\"story\",\"title\":\"Ask HN: editors?\",\"text\":\"Which?\",\"score\":50,\"time\":10,"
                    + "\"kids\":[4,3]},\n{\"id\":2,\"type\":\"story\",\"title\":\"huge\",\"time\":10,\"kids\":[");
            for (int i = 0; i < kids; i++) {
                if (i > 0) w.write(',');
                w.write(Integer.toString(10_000_000 + i));
            }
            w.write("]},\n{\"id\":3,\"type\":\"comment\",\"parent\":1,\"text\":\"Vim, for its ubiquity\",\"time\":20},\n"
                    + "{\"id\":4,\"type\":\"comment\",\"parent\":1,\"text\":\"Emacs, for its extensibility\",\"time\":30}]\n");
        }
        return Files.size(doc);
    }

    @Test
    void deepNestingIsOneLineNotACrash(@TempDir Path dir) throws IOException {
        int depth = 100_000;
        Path doc = Files.writeString(dir.resolve("deep.json"), "{\"post\": {\"id\": 1, \"x\": " + "[".repeat(depth)
                + "]".repeat(depth) + "}}\n");
        UserError e = assertThrows(UserError.class, () -> Fixtures.read(new HackerNewsReader(), doc));
        assertEquals(doc + ": JSON nested deeper than 1000 levels at line 1, column 1023; a JSON document cannot be"
                + " resumed after an error, use JSON Lines for per-line recovery", e.getMessage());

        String deepLine = "{\"id\": 1, \"x\": " + "[".repeat(depth) + "]".repeat(depth) + "}";
        String story = "{\"id\":1,\"type\":\"story\",\"title\":\"t\",\"time\":10}";
        for (SourceReader reader : List.of(new HackerNewsReader(), new ShpReader(), new PushshiftReader(), new ChosenRejectedReader())) {
            Path lines = write(dir, "deep.jsonl", story, deepLine, story);
            Fixtures.Collected got = Fixtures.read(reader, lines);
            assertEquals(1, got.skipped(SkipReason.NESTING_TOO_DEEP), reader + ": " + got.stats.skipReport());
            assertEquals(List.of("deep.jsonl:2 (nesting deeper than 1000)"),
                    got.stats.examples(DataStats.Unit.RECORDS, SkipReason.NESTING_TOO_DEEP));
        }
    }

    private static final ColumnMap CSV_MAP = ColumnMap.parse("thread=post_id,parent=parent_id,text=body,score=score,time=created");

    /** A 50 MB field used to abort the whole file; now that record alone is skipped and reading resumes after it. */
    @Test
    void csvFieldOverTheRecordLimitIsSkippedAndReadingResumes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("big.csv");
        String piece = "abc, \"\"quoted\"\",\n def\r\n".repeat(1000); // commas, escaped quotes, line breaks
        int pieces = (50 << 20) / piece.length() + 1;
        try (Writer w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
            w.write("post_id,parent_id,body,score,created\nt1,,\"Cold brew?\",25,100\nt1,t1,\"");
            for (int i = 0; i < pieces; i++) w.write(piece);
            w.write("\",9,200\nt1,t1,Coarse grind.,30,300\n");
        }
        assertTrue(Files.size(f) > 50 << 20);
        Fixtures.Collected got = Fixtures.read(new MappedReader(CSV_MAP), f);
        assertEquals(3, got.records());
        assertEquals(1, got.posts.size());
        assertEquals(1, got.comments.size());
        assertEquals("Coarse grind.", got.comments.get(0).text());
        assertEquals(3 + 2L * 1000 * pieces + 1, got.comments.get(0).line(), "line numbers count the skipped record's lines");
        assertEquals(List.of("big.csv:3 (record longer than 8 MiB)"),
                got.stats.examples(DataStats.Unit.RECORDS, SkipReason.LINE_TOO_LONG));
    }

    /** Invalid UTF-8 used to become U+FFFD in a kept pair (CSV, Stack Exchange); now it is a counted skip everywhere. */
    @Test
    void invalidUtf8IsACountedSkipInEverySource(@TempDir Path dir) throws IOException {
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}; // a broken two-byte sequence, a byte UTF-8 never uses
        record Case(SourceReader reader, String name, String good, String template) {
        }
        List<Case> cases = List.of(
                new Case(new MappedReader(CSV_MAP), "t.csv", "t1,,Question?,25,100", "t1,t1,Answer BAD,3,200"),
                new Case(new StackExchangeReader(), "coffee_Posts.xml",
                        "  <row Id=\"1\" PostTypeId=\"1\" CreationDate=\"2023-01-01T00:00:00\" Score=\"3\" Title=\"Q\" Body=\"q\" />",
                        "  <row Id=\"2\" PostTypeId=\"2\" ParentId=\"1\" CreationDate=\"2023-01-01T00:00:00\" Score=\"3\" Body=\"BAD\" />"),
                new Case(new ShpReader(), "shp.jsonl", SHP.formatted("1", "10", "3"),
                        SHP.formatted("1", "10", "3").replace("Lower the heat.", "BAD")),
                new Case(new ChosenRejectedReader(), "pairs.jsonl", "{\"prompt\":\"Q\",\"chosen\":\"a\",\"rejected\":\"b\"}",
                        "{\"prompt\":\"Q\",\"chosen\":\"BAD\",\"rejected\":\"b\"}"),
                new Case(new PushshiftReader(), "RC.ndjson",
                        "{\"id\":\"c1\",\"link_id\":\"t3_p\",\"parent_id\":\"t3_p\",\"body\":\"hi\",\"score\":1,\"created_utc\":5}",
                        "{\"id\":\"c2\",\"link_id\":\"t3_p\",\"parent_id\":\"t3_p\",\"body\":\"BAD\",\"score\":1,\"created_utc\":5}"),
                new Case(new PushshiftReader(), "RC2.ndjson", "{\"id\":\"c1\",\"link_id\":\"t3_p\",\"parent_id\":\"t3_p\",\"body\":\"hi\",\"score\":1,\"created_utc\":5}",
                        "{\"id\":\"c2\",\"unused\":\"BAD\",\"link_id\":\"t3_p\",\"parent_id\":\"t3_p\",\"body\":\"x\",\"score\":1,\"created_utc\":5}"),
                new Case(new HackerNewsReader(), "hn.jsonl", "{\"id\":1,\"type\":\"story\",\"title\":\"t\",\"time\":10}",
                        "{\"id\":2,\"type\":\"comment\",\"parent\":1,\"text\":\"BAD\",\"time\":10}"));
        for (Case c : cases) {
            String[] parts = c.template.split("BAD");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (c.name.endsWith(".csv")) bytes.writeBytes("post_id,parent_id,body,score,created\n".getBytes(StandardCharsets.UTF_8));
            bytes.writeBytes((c.good + "\n" + parts[0]).getBytes(StandardCharsets.UTF_8));
            bytes.writeBytes(bad);
            bytes.writeBytes((parts[1] + "\n" + c.good + "\n").getBytes(StandardCharsets.UTF_8));
            Path f = Files.write(dir.resolve(c.name), bytes.toByteArray());
            Fixtures.Collected got = Fixtures.read(c.reader, f);
            assertEquals(1, got.skipped(SkipReason.INVALID_UTF8), c.name + ": " + got.stats.skipReport());
            int badLine = c.name.endsWith(".csv") ? 3 : 2;
            assertTrue(got.stats.examples(DataStats.Unit.RECORDS, SkipReason.INVALID_UTF8).get(0).startsWith(c.name + ":" + badLine + " "),
                    c.name + ": " + got.stats.skipReport());
            for (var comment : got.comments) assertFalse(comment.text().contains("\uFFFD"), c.name);
        }
    }

    /** What a message echoes from the input is sanitised: no control byte reaches the terminal or stats.csv. */
    @Test
    void echoedInputHasNoControlCharacters(@TempDir Path dir) throws IOException {
        String hostile = "\u001b[2J\u001b]0;pwned\u0007\r" + "x".repeat(500);
        Path csv = Files.writeString(dir.resolve("x.csv"), "a," + hostile + "\n1,2\n");
        UserError e = assertThrows(UserError.class, () -> Fixtures.read(new MappedReader(CSV_MAP), csv));
        assertTrue(e.getMessage().contains("but the header has a, \\u001b[2J\\u001b]0;pwned\\u0007\\rxxx"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());

        Path shp = write(dir, "shp.jsonl", SHP.formatted("1", "\"" + hostile.replace("\u001b", "\\u001b").replace("\u0007", "\\u0007").replace("\r", "\\r") + "\"", "3"));
        Fixtures.Collected got = Fixtures.read(new ShpReader(), shp);
        String detail = got.stats.examples(DataStats.Unit.RECORDS, SkipReason.WRONG_TYPE).get(0);
        assertTrue(detail.startsWith("shp.jsonl:1 (score_A: expected a number, got '\\u001b[2J"), detail);
        assertTrue(detail.chars().noneMatch(ch -> ch < 0x20) && detail.length() < 200, detail);
    }

    /**
     * A small .zst that inflates to 192 MiB without a line break, then a line holding a 6 MB array of numbers (as a
     * tree it took over 100 MB), read as {@code plaudit pairs} with a 48 MiB heap: the first is a counted skip, and
     * every valid line is kept.
     */
    @Test
    void decompressionBombAndHugeArrayAreSkippedInBoundedMemory(@TempDir Path dir) throws Exception {
        Path bomb = dir.resolve("bomb.jsonl.zst");
        try (OutputStream z = new ZstdOutputStream(Files.newOutputStream(bomb), 19)) {
            z.write((SHP.formatted("1636822112", "10", "3") + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 192; i++) z.write(zeros);
            z.write('\n');
            String array = "{\"x\":[" + "1,".repeat(3_000_000) + "1]," + SHP.formatted("1636822112", "10", "3").substring(1) + "\n";
            z.write(array.replace("Why?", "Why 2?").getBytes(StandardCharsets.UTF_8));
            z.write((SHP.formatted("1636822112", "10", "3").replace("Why?", "Why 3?") + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(Files.size(bomb) < 1 << 20, "a small file: " + Files.size(bomb));
        Path out = dir.resolve("out");
        Child r = Child.run(dir, "-Xmx48m", "plaudit.cli.PlauditCli", "pairs", "--source", "shp", "--input", bomb.toString(),
                "--out", out.toString(), "--quiet", "--split", "1,0,0");
        assertEquals(0, r.status(), r.output());
        List<String> stats = Files.readAllLines(out.resolve("stats.csv"));
        assertTrue(stats.contains("skipped_records,line_too_long,1,bomb.jsonl.zst:2"), String.join("\n", stats));
        assertTrue(stats.contains("kept,total,3,"), "the line with the array is a valid record: " + String.join("\n", stats));
    }

    /** External entities and entity expansion stay inert: Stack Exchange rows are parsed without a DTD. */
    @Test
    void xxeAndBillionLaughsAreInert(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "TOP-SECRET");
        String laughs = "<!ENTITY lol \"lol\">" + IntStream.rangeClosed(1, 9)
                .mapToObj(i -> "<!ENTITY lol" + i + " \"" + ("&lol" + (i == 1 ? "" : i - 1) + ";").repeat(10) + "\">")
                .reduce("", String::concat);
        Path f = write(dir, "evil_Posts.xml",
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
                "<!DOCTYPE posts [<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">" + laughs + "]>",
                "<posts>",
                "  <row Id=\"1\" PostTypeId=\"1\" CreationDate=\"2023-01-01T00:00:00\" Score=\"3\" Title=\"Q\" Body=\"&xxe;\" />",
                "  <row Id=\"2\" PostTypeId=\"2\" ParentId=\"1\" CreationDate=\"2023-01-01T00:00:00\" Score=\"3\" Body=\"&lol9;\" />",
                "  <row Id=\"3\" PostTypeId=\"2\" ParentId=\"1\" CreationDate=\"2023-01-01T00:00:00\" Score=\"3\" Body=\"fine\" />",
                "</posts>");
        Fixtures.Collected got = Fixtures.read(new StackExchangeReader(), f);
        assertEquals(4, got.records(), "the DOCTYPE line and the three rows");
        assertEquals(3, got.skipped(SkipReason.INVALID_XML), got.stats.skipReport().toString());
        assertEquals(1, got.comments.size());
        assertEquals("fine", got.comments.get(0).text());
    }
}
