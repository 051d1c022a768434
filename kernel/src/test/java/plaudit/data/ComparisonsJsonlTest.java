package plaudit.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonsJsonlTest {
    private static final Comparison SCORED = new Comparison("r/x\nTITLE: t\nPOST: \"quoted\" ü\nREPLY:", " yes\nreally", " no",
            40, 10, "t3_a", "reddit", Split.VAL, Math.log(4));
    private static final Comparison UNSCORED = new Comparison("Human: hi\n\nAssistant:", " hello", " go away",
            Double.NaN, Double.NaN, "pairs/1f", "pairs", Split.TRAIN, Double.NaN);

    @Test
    void roundTripWithMargin(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.jsonl");
        ComparisonsJsonl.write(f, List.of(SCORED, UNSCORED), true);
        List<String> lines = Files.readAllLines(f);
        assertEquals(2, lines.size());
        assertEquals("{\"prompt\":\"r/x\\nTITLE: t\\nPOST: \\\"quoted\\\" ü\\nREPLY:\",\"chosen\":\" yes\\nreally\",\"rejected\":\" no\","
                + "\"score_chosen\":40,\"score_rejected\":10,\"thread_id\":\"t3_a\",\"source\":\"reddit\",\"split\":\"val\","
                + "\"margin\":" + Math.log(4) + "}", lines.get(0));
        assertTrue(lines.get(1).contains("\"score_chosen\":null"));
        List<Comparison> back = ComparisonsJsonl.read(f);
        assertEquals(SCORED, back.get(0));
        assertEquals(UNSCORED.prompt(), back.get(1).prompt());
        assertTrue(Double.isNaN(back.get(1).scoreChosen()));
    }

    @Test
    void withoutMarginTheFieldIsAbsent(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.jsonl");
        ComparisonsJsonl.write(f, List.of(SCORED), false);
        assertFalse(Files.readString(f).contains("margin"));
        assertTrue(Double.isNaN(ComparisonsJsonl.read(f).get(0).margin()));
    }

    @Test
    void damagedFilesNameTheLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.jsonl");
        ComparisonsJsonl.write(f, List.of(SCORED), false);
        Files.writeString(f, Files.readString(f) + "{\"prompt\":\"p\",\"chosen\":\" a\"}\n");
        UserError e = assertThrows(UserError.class, () -> ComparisonsJsonl.read(f));
        assertTrue(e.getMessage().endsWith("c.jsonl:2: field 'rejected' must be a string"), e.getMessage());
        Files.writeString(f, "{\"prompt\":");
        assertTrue(assertThrows(UserError.class, () -> ComparisonsJsonl.read(f)).getMessage().contains("c.jsonl:1: not a JSON comparison line"));
    }

    @Test
    void splitWriterLeavesNothingBehindOnFailure(@TempDir Path dir) {
        Path out = dir.resolve("out");
        try (ComparisonsJsonl.SplitWriter w = new ComparisonsJsonl.SplitWriter(out, false)) {
            w.accept(SCORED);
            // no commit: the run failed
        }
        assertFalse(Files.exists(ComparisonsJsonl.SplitWriter.file(out, Split.VAL)));
        assertEquals(0, out.toFile().list().length);
    }
}
