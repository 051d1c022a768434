package plaudit.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitTest {
    /** Writes a Pushshift-style pair of dumps: posts with top-level comments whose later ones score higher. */
    static void writeDump(Path rs, Path rc, int posts, long seed) throws IOException {
        Random rnd = new Random(seed);
        StringBuilder s = new StringBuilder();
        StringBuilder c = new StringBuilder();
        for (int p = 0; p < posts; p++) {
            String id = "q" + Integer.toString(p, 36);
            s.append(String.format("{\"author\":\"op%d\",\"created_utc\":%d,\"id\":\"%s\",\"is_self\":true,\"over_18\":false,"
                    + "\"score\":%d,\"selftext\":\"question %d\",\"subreddit\":\"sub%d\",\"title\":\"title %d\"}%n",
                    p, 1_600_000_000L + p, id, 10 + rnd.nextInt(100), p, p % 3, p));
            for (int k = 0; k < 6; k++) {
                c.append(String.format("{\"author\":\"u%d\",\"body\":\"answer %d to %d\",\"created_utc\":%d,\"id\":\"c%s_%d\","
                        + "\"link_id\":\"t3_%s\",\"parent_id\":\"t3_%s\",\"score\":%d,\"subreddit\":\"sub%d\"}%n",
                        rnd.nextInt(1000), k, p, 1_600_000_100L + p + 10L * k, id, k, id, id, 2 << k, p % 3));
            }
        }
        Files.writeString(rs, s);
        Files.writeString(rc, c);
    }

    @Test
    void noThreadAppearsInTwoSplits(@TempDir Path dir) throws IOException {
        Path rs = dir.resolve("RS.ndjson");
        Path rc = dir.resolve("RC.ndjson");
        writeDump(rs, rc, 400, 7);
        Path out = dir.resolve("out");
        DataStats stats;
        try (ComparisonsJsonl.SplitWriter w = new ComparisonsJsonl.SplitWriter(out, false)) {
            stats = new PairsJob(Source.REDDIT, List.of(rs, rc), PairRules.defaults()).run(w);
            w.commit();
        }
        Map<String, Set<Split>> splitsOfThread = new HashMap<>();
        Map<Split, Integer> lines = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            List<Comparison> cs = ComparisonsJsonl.read(ComparisonsJsonl.SplitWriter.file(out, s));
            lines.put(s, cs.size());
            for (Comparison c : cs) {
                assertEquals(s, c.split(), "a comparison sits in the file of its split");
                splitsOfThread.computeIfAbsent(c.threadId(), k -> new HashSet<>()).add(c.split());
            }
        }
        assertEquals(400, splitsOfThread.size(), "every post yields comparisons");
        splitsOfThread.forEach((thread, splits) -> assertEquals(1, splits.size(), thread + " leaks into " + splits));
        assertTrue(lines.get(Split.VAL) > 0 && lines.get(Split.TEST) > 0, lines.toString());
        assertEquals(stats.kept(), lines.values().stream().mapToLong(Integer::longValue).sum());
        assertEquals(4000, stats.kept(), "10 pairs per post: 15 eligible, capped at 10");
    }

    @Test
    void fractionsDeterminismAndSeed() {
        SplitRule rule = SplitRule.DEFAULT;
        int n = 200_000;
        Map<Split, Integer> counts = new EnumMap<>(Split.class);
        int moved = 0;
        SplitRule reseeded = SplitRule.parse("90,5,5", 1);
        for (int i = 0; i < n; i++) {
            String id = "t3_" + Integer.toString(i, 36);
            Split s = rule.assign(id);
            counts.merge(s, 1, Integer::sum);
            assertEquals(s, rule.assign(id));
            if (reseeded.assign(id) != s) moved++;
        }
        assertEquals(0.90, counts.get(Split.TRAIN) / (double) n, 0.005);
        assertEquals(0.05, counts.get(Split.VAL) / (double) n, 0.005);
        assertEquals(0.05, counts.get(Split.TEST) / (double) n, 0.005);
        assertTrue(moved > n / 10, "another seed is another split: " + moved);
    }

    @Test
    void parsing() {
        SplitRule r = SplitRule.parse("8, 1, 1", 3);
        assertEquals(0.8, r.train(), 1e-12);
        assertEquals(0.1, r.val(), 1e-12);
        assertEquals(3, r.seed());
        assertEquals(Split.TRAIN, SplitRule.parse("1,0,0", 0).assign("anything"));
        assertThrows(UserError.class, () -> SplitRule.parse("90,10", 0));
        assertThrows(UserError.class, () -> SplitRule.parse("90,x,5", 0));
        assertThrows(UserError.class, () -> SplitRule.parse("90,-5,5", 0));
        assertThrows(UserError.class, () -> SplitRule.parse("0,0,0", 0));
    }
}
