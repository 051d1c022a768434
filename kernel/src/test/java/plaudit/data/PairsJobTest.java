package plaudit.data;

import org.junit.jupiter.api.Test;
import plaudit.data.source.ColumnMap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static plaudit.data.DataStats.Unit.COMMENTS;
import static plaudit.data.DataStats.Unit.PAIRS;
import static plaudit.data.DataStats.Unit.POSTS;

/** The whole path from Pushshift files to comparisons, on the fixture dumps. */
class PairsJobTest {
    private static final Path RS = Fixtures.path("reddit/RS_fixture.ndjson");
    private static final Path RC = Fixtures.path("reddit/RC_fixture.ndjson");

    private static List<Comparison> run(PairsJob job, DataStats[] stats) {
        List<Comparison> out = new ArrayList<>();
        stats[0] = job.run(out::add);
        return out;
    }

    @Test
    void everyRecordIsAccountedFor() {
        DataStats[] s = new DataStats[1];
        List<Comparison> out = run(new PairsJob(Source.REDDIT, List.of(RS, RC), PairRules.defaults()), s);
        DataStats stats = s[0];
        assertEquals(7, stats.read(POSTS));
        assertEquals(19, stats.read(COMMENTS));

        // posts: a 2005 link post, an edited, a removed, an NSFW and a low-score post are skipped
        assertEquals(1, stats.skipped(POSTS, SkipReason.NOT_SELF_POST));
        assertEquals(1, stats.skipped(POSTS, SkipReason.POST_EDITED));
        assertEquals(1, stats.skipped(POSTS, SkipReason.POST_REMOVED));
        assertEquals(1, stats.skipped(POSTS, SkipReason.POST_NSFW));
        assertEquals(1, stats.skipped(POSTS, SkipReason.POST_SCORE_BELOW_MIN));
        // comments: 7 of 19 remain as candidates (c1 c2 c3 c9 c12 on p1abc, ck1 ck2 on p2def)
        assertEquals(2, stats.skipped(COMMENTS, SkipReason.NOT_TOP_LEVEL));
        assertEquals(2, stats.skipped(COMMENTS, SkipReason.DELETED_TEXT));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.BOT));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.SCORE_BELOW_MIN));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.DELETED_AUTHOR));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.OP_REPLY));
        assertEquals(3, stats.skipped(COMMENTS, SkipReason.POST_SKIPPED));
        assertEquals(1, stats.skipped(COMMENTS, SkipReason.ORPHAN_COMMENT));
        assertEquals(List.of("RC_fixture.ndjson:16"), stats.examples(COMMENTS, SkipReason.ORPHAN_COMMENT));
        assertEquals(12, stats.skipped(COMMENTS));
        // the 10 pairs on p1abc: 3 kept, 5 with the earlier comment preferred, 2 with ratio < 2; 1 kept on p2def
        assertEquals(5, stats.skipped(PAIRS, SkipReason.PREFERRED_NOT_LATER));
        assertEquals(2, stats.skipped(PAIRS, SkipReason.RATIO_BELOW_MIN));
        assertEquals(4, out.size());
        assertEquals(4, stats.kept());
        assertEquals(4L, stats.keptByCommunity().get("AskCulinary"));

        Comparison knife = out.stream().filter(c -> c.threadId().equals("t3_p2def")).findFirst().orElseThrow();
        assertEquals(" Get a cheap santoku and a honing rod; learn to sharpen first.", knife.chosen());
        assertEquals(" A victorinox chef knife.", knife.rejected());
        assertTrue(knife.prompt().startsWith("r/AskCulinary\nTITLE: Beginner knife > expensive knife?\nPOST: "));
        List<String> chosen = out.stream().filter(c -> c.threadId().equals("t3_p1abc")).map(Comparison::chosen).sorted().toList();
        assertEquals(List.of(" Lower heat, and pull it the moment it smells nutty. Residual heat keeps cooking it.",
                " Lower heat, and pull it the moment it smells nutty. Residual heat keeps cooking it.",
                " Your pan is too hot. Add garlic after the onions soften."), chosen);
    }

    @Test
    void commentsMayComeBeforeTheirSubmissions() {
        DataStats[] a = new DataStats[1];
        DataStats[] b = new DataStats[1];
        List<Comparison> postsFirst = run(new PairsJob(Source.REDDIT, List.of(RS, RC), PairRules.defaults()), a);
        List<Comparison> commentsFirst = run(new PairsJob(Source.REDDIT, List.of(RC, RS), PairRules.defaults()), b);
        assertEquals(sorted(postsFirst), sorted(commentsFirst));
        assertEquals(a[0].table().toString(), b[0].table().toString());
    }

    @Test
    void spillingToDiskGivesTheSameResult() {
        DataStats[] a = new DataStats[1];
        DataStats[] b = new DataStats[1];
        PairsJob memory = new PairsJob(Source.REDDIT, List.of(RS, RC), PairRules.defaults());
        PairsJob disk = new PairsJob(Source.REDDIT, List.of(RS, RC), PairRules.defaults()).optSpill(2_000, 4);
        List<Comparison> inMemory = run(memory, a);
        List<Comparison> spilled = run(disk, b);
        assertFalse(memory.spilled());
        assertTrue(disk.spilled());
        assertEquals(sorted(inMemory), sorted(spilled));
        assertEquals(a[0].skipped(COMMENTS), b[0].skipped(COMMENTS));
        assertEquals(a[0].skipped(PAIRS), b[0].skipped(PAIRS));
    }

    @Test
    void otherSourcesEndToEnd() {
        DataStats[] s = new DataStats[1];
        assertEquals(2, run(new PairsJob(Source.STACKEXCHANGE,
                List.of(Fixtures.path("stackexchange/coffee.stackexchange.com/Posts.xml")), PairRules.defaults()), s).size());
        assertEquals(1, s[0].skipped(COMMENTS, SkipReason.ORPHAN_COMMENT), "answer 11's question is not in the file");
        assertEquals(1, s[0].skipped(COMMENTS, SkipReason.BOT), "the Community user");

        List<Comparison> hn = run(new PairsJob(Source.HN, List.of(Fixtures.path("hn/items.jsonl"), Fixtures.path("hn/thread.json")),
                PairRules.defaults()), s);
        assertEquals(5, hn.size(), "4 from story 100 (ranks 1>2, 1>3, 1>5, 2>5), 1 from story 500");
        assertEquals(1, s[0].skipped(COMMENTS, SkipReason.ORPHAN_COMMENT), "the reply to a comment");
        assertEquals(3, s[0].skipped(COMMENTS, SkipReason.DELETED_TEXT), "deleted, dead, deleted+dead");

        assertEquals(2, run(new PairsJob(Source.SHP, List.of(Fixtures.path("shp/askculinary_train.jsonl")), PairRules.defaults()), s).size());
        assertEquals(3, run(new PairsJob(Source.PAIRS, List.of(Fixtures.path("pairs/hh.jsonl")), PairRules.defaults()), s).size());
        assertEquals(1, s[0].skipped(PAIRS, SkipReason.EMPTY_TEXT));

        List<Comparison> csv = run(new PairsJob(Source.CSV, List.of(Fixtures.path("csv/threads.csv")), PairRules.defaults())
                .optColumns(ColumnMap.parse("thread=post_id,parent=parent_id,text=body,score=score,time=created,author=author,title=title")), s);
        assertEquals(3, csv.size(), "ann>bob, ann>cat (same second), cat>bob");
    }

    private static List<Comparison> sorted(List<Comparison> cs) {
        return cs.stream().sorted(Comparator.comparing(Comparison::threadId).thenComparing(Comparison::chosen)
                .thenComparing(Comparison::rejected)).toList();
    }
}
