package plaudit.data.source;

import com.fasterxml.jackson.core.JsonParser;
import org.junit.jupiter.api.Test;
import plaudit.data.Fixtures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The fast path against the full parser: whatever the scanner accepts, Jackson accepts with the same fields. */
class PushshiftScannerTest {
    private static final byte[] ALPHABET = "\"\\{}[],: 0-.eEnt\u0001\n/u".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] HIGH = {(byte) 0x80, (byte) 0xc3, (byte) 0xa9, (byte) 0xed, (byte) 0xf0, (byte) 0xff};

    private static String jackson(byte[] line) {
        try (JsonParser p = PushshiftReader.JSON.createParser(line)) {
            return PushshiftReader.parse(p).toString();
        } catch (IOException | BadRecord e) {
            return null;
        }
    }

    private static String scanned(PushshiftScanner s, byte[] line) {
        PushshiftReader.Fields f = new PushshiftReader.Fields();
        // the line in the middle of a buffer with stale bytes around it, as LineReader hands it over
        byte[] buf = new byte[line.length + 19];
        Arrays.fill(buf, (byte) '}');
        System.arraycopy(line, 0, buf, 3, line.length);
        return s.scan(buf, 3, line.length, f) ? f.toString() : null;
    }

    private static List<byte[]> seeds() throws IOException {
        List<byte[]> lines = new ArrayList<>();
        for (String f : List.of("reddit/RC_fixture.ndjson", "reddit/RS_fixture.ndjson")) {
            for (String l : Files.readAllLines(Fixtures.path(f))) lines.add(l.getBytes(StandardCharsets.UTF_8));
        }
        for (String l : List.of(
                "{\"id\":\"e1\",\"body\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ tab\\there\\nnew\",\"score\":-3,\"created_utc\":1.5e9,\"link_id\":\"t3_x\",\"parent_id\":\"t3_x\"}",
                "{\"id\":\"e2\",\"body\":\"caf\u00e9 \u4e2d\u6587 \ud83d\ude00\",\"score\":\"7\",\"created_utc\":\"1409529601\",\"edited\":\"1409529700\",\"link_id\":\"x\",\"parent_id\":\"t1_y\",\"over_18\":null,\"is_self\":false,\"nested\":{\"a\":[1,{\"b\":[]},\"\\u0041\"],\"c\":{}}}",
                "  { \"id\" : 87 , \"title\" : \"t\" , \"score\" : 0 , \"created_utc\" : 1119552233 , \"edited\" : 0.0 }  ",
                "{}",
                "{\"id\":\"e3\",\"author\":null,\"body\":\"x\",\"score\":12345678901234567890,\"created_utc\":-0.0,\"link_id\":\"t3_a\",\"parent_id\":\"t3_a\"}")) {
            lines.add(l.getBytes(StandardCharsets.UTF_8));
        }
        return lines;
    }

    @Test
    void acceptsRealShapedLinesWithTheSameValues() throws IOException {
        PushshiftScanner s = new PushshiftScanner();
        for (byte[] line : seeds()) {
            String fast = scanned(s, line);
            String full = jackson(line);
            assertTrue(fast != null, "fast path declined a valid line: " + new String(line, StandardCharsets.UTF_8));
            assertEquals(full, fast, new String(line, StandardCharsets.UTF_8));
        }
    }

    @Test
    void neverAcceptsWhatTheFullParserWouldReadDifferently() throws IOException {
        PushshiftScanner s = new PushshiftScanner();
        Random rnd = new Random(11);
        List<byte[]> seeds = seeds();
        int accepted = 0;
        int declinedValid = 0;
        for (int i = 0; i < 30_000; i++) {
            byte[] line = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            String fast = scanned(s, line);
            String full = jackson(line);
            if (fast != null) {
                accepted++;
                if (!fast.equals(full)) {
                    fail("scanner and parser disagree on " + new String(line, StandardCharsets.ISO_8859_1)
                            + "\nscanner: " + fast + "\nparser:  " + full);
                }
            } else if (full != null) {
                declinedValid++;
            }
        }
        assertTrue(accepted > 3000, "mutations that stay valid are still taken by the fast path: " + accepted);
        assertTrue(declinedValid < accepted, "the fast path is not a formality: " + declinedValid + " vs " + accepted);
    }

    private static byte[] mutate(byte[] seed, Random rnd) {
        byte[] b = seed.clone();
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = rnd.nextInt(b.length);
            byte v = rnd.nextInt(4) == 0 ? HIGH[rnd.nextInt(HIGH.length)] : ALPHABET[rnd.nextInt(ALPHABET.length)];
            switch (rnd.nextInt(4)) {
                case 0 -> b[at] = v;
                case 1 -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = v;
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
                case 2 -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c;
                }
                default -> b = Arrays.copyOf(b, at);
            }
        }
        return b;
    }
}
