package plaudit.report;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {

    /** Logged progress (no terminal): a warning is its own line, between the bar's lines. */
    @Test
    void aWarningIsALineOfItsOwnInLoggedProgress() {
        String out = render("lines");
        assertEquals("ppo: KL lost", out.lines().filter(l -> l.startsWith("ppo: ")).findFirst().orElseThrow(), out);
        assertTrue(out.lines().filter(l -> l.startsWith("ppo [")).count() >= 2, out);
    }

    /** A live bar is erased, the warning printed on its own line, and the bar redrawn below it. */
    @Test
    void aWarningEndsAboveALiveBar() {
        String out = render("live");
        int warning = out.indexOf("\r\u001b[Kppo: KL lost\n");
        assertTrue(warning >= 0, out);
        assertTrue(out.indexOf("ppo [", warning) > warning, "the bar is redrawn after the warning: " + out);
    }

    private static String render(String mode) {
        String before = System.getProperty("plaudit.progress");
        System.setProperty("plaudit.progress", mode);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             Progress bar = new Progress("ppo", 10, ps)) {
            bar.advance(5);
            bar.warn("KL lost");
            bar.advance(5);
        } finally {
            if (before == null) System.clearProperty("plaudit.progress");
            else System.setProperty("plaudit.progress", before);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
