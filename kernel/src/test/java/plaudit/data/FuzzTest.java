package plaudit.data;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.data.source.ChosenRejectedReader;
import plaudit.data.source.ColumnMap;
import plaudit.data.source.HackerNewsReader;
import plaudit.data.source.MappedReader;
import plaudit.data.source.PushshiftReader;
import plaudit.data.source.ShpReader;
import plaudit.data.source.SourceReader;
import plaudit.data.source.StackExchangeReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every reader against damaged input: truncated lines, invalid JSON, wrong types, invalid XML entities, binary garbage,
 * an empty file, a truncated zstd frame. No reader may throw anything but a {@link UserError}, and when it does not
 * throw, every record it counted was either delivered or skipped under a reason with its place recorded.
 */
@Tag("adversarial")
class FuzzTest {
    private static final int VARIANTS = 40;
    private static final String[] WRONG_VALUES = {"{\"x\":1}", "[1,2]", "\"abc\"", "true", "null", "-1e999", "\"\"", "12345678901234567890"};

    private record Case(String name, SourceReader reader, Path fixture, String ext) {
    }

    private static List<Case> cases() {
        return List.of(
                new Case("pushshift", new PushshiftReader(), Fixtures.path("reddit/RC_fixture.ndjson"), ".ndjson"),
                new Case("pushshift-rs", new PushshiftReader(), Fixtures.path("reddit/RS_fixture.ndjson"), ".ndjson"),
                new Case("shp", new ShpReader(), Fixtures.path("shp/askculinary_train.jsonl"), ".jsonl"),
                new Case("stackexchange", new StackExchangeReader(), Fixtures.path("stackexchange/coffee.stackexchange.com/Posts.xml"), "_Posts.xml"),
                new Case("hn", new HackerNewsReader(), Fixtures.path("hn/items.jsonl"), ".jsonl"),
                new Case("pairs", new ChosenRejectedReader(), Fixtures.path("pairs/hh.jsonl"), ".jsonl"),
                new Case("csv", new MappedReader(ColumnMap.parse(
                        "thread=post_id,parent=parent_id,text=body,score=score,time=created,author=author,title=title")),
                        Fixtures.path("csv/threads.csv"), ".csv"));
    }

    @Test
    void mutatedLinesAreCountedNeverFatal(@TempDir Path dir) throws IOException {
        Random rnd = new Random(20240601);
        Map<SkipReason, Long> seen = new EnumMap<>(SkipReason.class);
        for (Case c : cases()) {
            List<String> lines = Files.readAllLines(c.fixture, StandardCharsets.UTF_8);
            for (int v = 0; v < VARIANTS; v++) {
                byte[] bytes = mutate(lines, c.name.equals("csv") ? 1 : 0, rnd); // a CSV's header is not a record
                Path f = Files.write(dir.resolve(c.name + "-" + v + c.ext), bytes);
                DataStats stats = check(c, f, false);
                for (SkipReason r : SkipReason.values()) seen.merge(r, stats.skipped(DataStats.Unit.RECORDS, r), Long::sum);
            }
        }
        for (SkipReason r : List.of(SkipReason.INVALID_JSON, SkipReason.INVALID_XML, SkipReason.WRONG_TYPE,
                SkipReason.MISSING_FIELD, SkipReason.BLANK_LINE, SkipReason.NOT_AN_OBJECT)) {
            assertTrue(seen.get(r) > 0, "the mutations exercise " + r + ": " + seen);
        }
    }

    @Test
    void emptyFilesAndBinaryGarbage(@TempDir Path dir) throws IOException {
        Random rnd = new Random(7);
        for (Case c : cases()) {
            DataStats empty = check(c, Files.write(dir.resolve(c.name + "-empty" + c.ext), new byte[0]), false);
            assertEquals(0, empty.read(DataStats.Unit.RECORDS), c.name);
            for (int v = 0; v < 5; v++) {
                byte[] garbage = new byte[2000 + rnd.nextInt(3000)];
                rnd.nextBytes(garbage);
                // a garbage CSV has no header to map: that is a UserError, not a skip
                check(c, Files.write(dir.resolve(c.name + "-garbage" + v + c.ext), garbage), c.name.equals("csv"));
            }
        }
    }

    @Test
    void truncatedZstdNamesTheFile(@TempDir Path dir) throws IOException {
        for (Case c : cases()) {
            Path zst = Fixtures.zstd(c.fixture, dir.resolve(c.name + "-whole.zst"), 31);
            byte[] all = Files.readAllBytes(zst);
            Path cut = Files.write(dir.resolve(c.name + "-cut.zst"), Arrays.copyOf(all, all.length - 7));
            try {
                Fixtures.read(c.reader, cut, new DataStats());
                fail(c.name + ": a truncated frame must not pass silently");
            } catch (UserError e) {
                assertTrue(e.getMessage().contains(c.name + "-cut.zst") && e.getMessage().contains("truncated or corrupt zstd"),
                        c.name + ": " + e.getMessage());
            }
            DataStats whole = check(c, zst, false);
            assertTrue(whole.read(DataStats.Unit.RECORDS) > 0, c.name + " reads its .zst");
        }
    }

    /** Reads a file; only a UserError may escape (and only where {@code userErrorAllowed}); checks the accounting. */
    private static DataStats check(Case c, Path f, boolean userErrorAllowed) {
        DataStats stats = new DataStats(1000);
        Fixtures.Collected got;
        try {
            got = Fixtures.read(c.reader, f, stats);
        } catch (UserError e) {
            if (!userErrorAllowed) fail(c.name + " " + f.getFileName() + ": " + e.getMessage(), e);
            assertFalse(e.getMessage().isBlank());
            return stats;
        } catch (RuntimeException e) {
            throw new AssertionError(c.name + " crashed on " + f.getFileName() + ": " + e, e);
        }
        long skipped = stats.skipped(DataStats.Unit.RECORDS);
        assertEquals(stats.read(DataStats.Unit.RECORDS), got.delivered() + skipped, c.name + " " + f.getFileName()
                + ": records read = delivered + skipped");
        for (SkipReason r : SkipReason.values()) {
            long n = stats.skipped(DataStats.Unit.RECORDS, r);
            assertEquals(Math.min(n, 1000), stats.examples(DataStats.Unit.RECORDS, r).size(), "each skip has its place");
        }
        return stats;
    }

    private static byte[] mutate(List<String> lines, int keep, Random rnd) {
        List<String> out = new ArrayList<>(lines);
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int i = keep + rnd.nextInt(out.size() - keep);
            String line = out.get(i);
            switch (rnd.nextInt(8)) {
                case 0 -> out.set(i, line.substring(0, rnd.nextInt(Math.max(1, line.length())))); // truncated line
                case 1 -> out.set(i, line.replaceFirst(":(\"[^\"]*\"|-?[0-9.]+|true|false|null)",
                        ":" + WRONG_VALUES[rnd.nextInt(WRONG_VALUES.length)].replace("$", "\\$"))); // wrong type
                case 2 -> out.add(i, "{\"unterminated\": [1, 2"); // invalid JSON
                case 3 -> out.set(i, line.replaceFirst("&(lt|gt|amp|quot|#xA);", "&bogus" + rnd.nextInt(9) + ";")); // bad entity
                case 4 -> out.add(i, ""); // blank line
                case 5 -> out.add(i, line); // duplicate record
                case 6 -> out.add(i, rnd.nextBoolean() ? "[1, 2, 3]" : "\"a string\""); // JSON, not an object
                default -> {
                    byte[] g = new byte[1 + rnd.nextInt(200)];
                    rnd.nextBytes(g);
                    out.add(i, new String(g, StandardCharsets.ISO_8859_1)); // binary garbage (may contain newlines)
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String l : out) {
            bytes.writeBytes(l.getBytes(l.chars().anyMatch(ch -> ch > 0x7f && ch < 0x100) && !l.startsWith("{") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
            bytes.write('\n');
        }
        return bytes.toByteArray();
    }
}
