package plaudit.data.source;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.data.DataStats;
import plaudit.data.Fixtures;
import plaudit.data.PreferencePair;
import plaudit.data.SkipReason;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
