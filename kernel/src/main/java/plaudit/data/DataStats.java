package plaudit.data;

import plaudit.Echo;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts for one run: what was read, what was skipped and why (with the first few places each reason occurred),
 * and what was kept per split and per community (subreddit, site). Nothing is dropped without a count here.
 */
public final class DataStats {
    /** What a count counts. */
    public enum Unit {
        RECORDS, POSTS, COMMENTS, PAIRS;

        public String key() {
            return name().toLowerCase();
        }
    }

    private static final class Tally {
        long count;
        final List<String> examples = new ArrayList<>();
    }

    private final int maxExamples;
    private final EnumMap<Unit, Long> read = new EnumMap<>(Unit.class);
    /** [unit][reason], null until that skip first happens: counting runs once per skipped record, millions of times. */
    private final Tally[][] skipped = new Tally[Unit.values().length][SkipReason.values().length];
    private final EnumMap<Split, Long> kept = new EnumMap<>(Split.class);
    private final TreeMap<String, Long> keptByCommunity = new TreeMap<>();

    public DataStats() {
        this(5);
    }

    /** @param maxExamples how many places ("file:line") to remember per skip reason */
    public DataStats(int maxExamples) {
        this.maxExamples = maxExamples;
    }

    public void countRead(Unit unit) {
        read.merge(unit, 1L, Long::sum);
    }

    public void skip(Unit unit, SkipReason reason, String file, long line) {
        skip(unit, reason, file, line, null);
    }

    /**
     * Counts one skip at {@code file:line} (file null when there is no place), with an optional short explanation.
     * The place is only formatted for the first few of each reason: skips are counted by the million.
     */
    public void skip(Unit unit, SkipReason reason, String file, long line, String detail) {
        Tally t = skipped[unit.ordinal()][reason.ordinal()];
        if (t == null) t = skipped[unit.ordinal()][reason.ordinal()] = new Tally();
        t.count++;
        if (file != null && t.examples.size() < maxExamples) {
            t.examples.add(Echo.of(file, 200) + ":" + line + (detail == null ? "" : " (" + Echo.of(detail, 160) + ")"));
        }
    }

    public void kept(Split split, String community) {
        kept.merge(split, 1L, Long::sum);
        keptByCommunity.merge(community == null || community.isEmpty() ? "-" : community, 1L, Long::sum);
    }

    public long read(Unit unit) {
        return read.getOrDefault(unit, 0L);
    }

    public long skipped(Unit unit, SkipReason reason) {
        Tally t = skipped[unit.ordinal()][reason.ordinal()];
        return t == null ? 0 : t.count;
    }

    public long skipped(Unit unit) {
        long n = 0;
        for (Tally t : skipped[unit.ordinal()]) if (t != null) n += t.count;
        return n;
    }

    public List<String> examples(Unit unit, SkipReason reason) {
        Tally t = skipped[unit.ordinal()][reason.ordinal()];
        return t == null ? List.of() : List.copyOf(t.examples);
    }

    public long kept() {
        return kept.values().stream().mapToLong(Long::longValue).sum();
    }

    public long kept(Split split) {
        return kept.getOrDefault(split, 0L);
    }

    public Map<String, Long> keptByCommunity() {
        return Map.copyOf(keptByCommunity);
    }

    /**
     * The statistics as a table with columns section, name, count, first_lines. Sections: {@code read} (records,
     * posts, comments, pairs), {@code skipped_<unit>} (one row per reason), {@code kept} (per split and total),
     * {@code community} (kept comparisons per subreddit/site).
     */
    public Table table() {
        StringColumn section = StringColumn.create("section");
        StringColumn name = StringColumn.create("name");
        LongColumn count = LongColumn.create("count");
        StringColumn where = StringColumn.create("first_lines");
        for (Unit u : Unit.values()) {
            section.append("read");
            name.append(u.key());
            count.append(read(u));
            where.append("");
        }
        for (Unit u : Unit.values()) {
            for (SkipReason r : SkipReason.values()) {
                Tally t = skipped[u.ordinal()][r.ordinal()];
                if (t == null) continue;
                section.append("skipped_" + u.key());
                name.append(r.key());
                count.append(t.count);
                where.append(String.join("; ", t.examples));
            }
        }
        for (Split s : Split.values()) {
            section.append("kept");
            name.append(s.key());
            count.append(kept(s));
            where.append("");
        }
        section.append("kept");
        name.append("total");
        count.append(kept());
        where.append("");
        keptByCommunity.forEach((c, n) -> {
            section.append("community");
            name.append(c);
            count.append(n);
            where.append("");
        });
        return Table.create("pairs statistics", section, name, count, where);
    }

    /** One line per skip reason that occurred: unit, reason, count, description and the first places. */
    public List<String> skipReport() {
        List<String> lines = new ArrayList<>();
        for (Unit u : Unit.values()) {
            for (SkipReason r : SkipReason.values()) {
                Tally t = skipped[u.ordinal()][r.ordinal()];
                if (t == null) continue;
                lines.add(String.format("skipped %s %s: %d (%s)%s", u.key(), r.key(), t.count, r.description(),
                        t.examples.isEmpty() ? "" : "; first at " + String.join(", ", t.examples)));
            }
        }
        return lines;
    }
}
