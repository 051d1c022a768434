package plaudit.data.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BytesAndLinesTest {
    @Test
    void wordAtATimeSearchesMatchAByteLoop() {
        Random rnd = new Random(3);
        byte[] alphabet = {'a', 'b', '"', '\\', '\n', 0x01, 0x1f, 0x20, 0x7f, (byte) 0x80, (byte) 0xc3, (byte) 0xff, '0'};
        for (int t = 0; t < 20_000; t++) {
            byte[] b = new byte[rnd.nextInt(40)];
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextInt(4) == 0 ? alphabet[rnd.nextInt(alphabet.length)] : (byte) ('c' + rnd.nextInt(20));
            int from = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
            int to = from + rnd.nextInt(b.length - from + 1);
            int nl = -1;
            for (int i = from; i < to; i++) if (b[i] == '\n') { nl = i; break; }
            assertEquals(nl, Bytes.indexOf(b, from, to, (byte) '\n'));
            int special = to;
            for (int i = from; i < to; i++) {
                int c = b[i] & 0xff;
                if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) { special = i; break; }
            }
            assertEquals(special, Bytes.indexOfStringSpecial(b, from, to));
        }
    }

    @Test
    void linesAcrossChunksCrLfAndAMissingFinalNewline(@TempDir Path dir) throws IOException {
        Random rnd = new Random(5);
        List<String> expected = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            String line = "x".repeat(rnd.nextInt(i % 50 == 0 ? 150_000 : 300)) + i + "é";
            expected.add(line);
            content.append(line).append(i % 7 == 0 ? "\r\n" : "\n");
        }
        content.append("last");
        expected.add("last");
        Path f = Files.writeString(dir.resolve("lines.txt"), content, StandardCharsets.UTF_8);
        List<String> got = new ArrayList<>();
        try (InputFile in = InputFile.open(f)) {
            LineReader r = new LineReader(in);
            while (r.next()) {
                got.add(r.text());
                assertEquals(got.size(), r.lineNumber());
            }
        }
        assertEquals(expected, got);
    }

    @Test
    void overlongLinesAreDroppedNotKept(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("long.txt");
        try (var out = Files.newOutputStream(f)) {
            out.write("short\n".getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[1 << 20];
            Arrays.fill(block, (byte) 'z');
            for (int i = 0; i < 33; i++) out.write(block);
            out.write("\nafter\n".getBytes(StandardCharsets.US_ASCII));
        }
        try (InputFile in = InputFile.open(f)) {
            LineReader r = new LineReader(in);
            assertTrue(r.next());
            assertEquals("short", r.text());
            assertTrue(r.next());
            assertTrue(r.tooLong());
            assertEquals(0, r.length());
            assertTrue(r.next());
            assertEquals("after", r.text());
            assertEquals(3, r.lineNumber());
        }
    }
}
