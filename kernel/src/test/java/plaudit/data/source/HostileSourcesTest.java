package plaudit.data.source;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.data.Child;
import plaudit.data.DataStats;
import plaudit.data.Fixtures;
import plaudit.data.PreferencePair;
import plaudit.data.SkipReason;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
