package plaudit.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.cli.PlauditCli;

class ForumCommandTest {

    @TempDir
    Path tmp;

    /** Runs the CLI and returns its exit status, with standard error captured into {@code err}. */
    private static int run(ByteArrayOutputStream err, String... args) {
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return PlauditCli.run(args);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void writesDumpsMetaAndCorpus() throws Exception {
        Path out = tmp.resolve("forum");
        Path corpus = tmp.resolve("lm/corpus.txt");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = run(err, "forum", "--out", out.toString(), "--threads", "30", "--seed", "4", "--zst",
                "--corpus", corpus.toString(), "--topics", "cooking=2,guitar", "--time-format", "FLOAT",
                "--start", "2020-05-01");
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        for (String f : new String[] {"RS_forum.zst", "RC_forum.zst", "forum_meta.json"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        String meta = Files.readString(out.resolve("forum_meta.json"));
        assertTrue(meta.contains("\"start_utc\" : 1588291200") && meta.contains("\"time_format\" : \"FLOAT\""), meta);
        assertTrue(meta.contains("\"guitar\" : 1.0") && !meta.contains("\"travel\""), meta);
        assertEquals(30, Files.readAllLines(corpus).stream().filter(CorpusWriter.END_OF_TEXT::equals).count());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("noise ceiling"));
    }

    @Test
    void badKnobsAreUserErrors() {
        String[][] bad = {
                {"--topics", "knitting=1"},
                {"--topics", "cooking=lots"},
                {"--nested", "1.5"},
                {"--min-comments", "5", "--max-comments", "2"},
                {"--start", "yesterday"},
        };
        for (String[] knobs : bad) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String[] args = new String[knobs.length + 3];
            args[0] = "forum";
            args[1] = "--out";
            args[2] = tmp.resolve("x").toString();
            System.arraycopy(knobs, 0, args, 3, knobs.length);
            assertEquals(2, run(err, args), String.join(" ", knobs));
            String msg = err.toString(StandardCharsets.UTF_8);
            assertTrue(msg.startsWith("plaudit forum: ") && !msg.contains("Exception"), msg);
        }
    }
}
