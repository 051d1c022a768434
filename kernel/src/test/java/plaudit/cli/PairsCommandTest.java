package plaudit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.cli.CliRun.Result;
import plaudit.data.Fixtures;
import plaudit.data.PairRules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static plaudit.cli.CliRun.run;

/** {@code plaudit pairs} as a user runs it: exit codes, output files, the printed statistics. */
class PairsCommandTest {
    private static final Path RS = Fixtures.path("reddit/RS_fixture.ndjson");
    private static final Path RC = Fixtures.path("reddit/RC_fixture.ndjson");
    private static final Set<String> FIELDS = Set.of("prompt", "chosen", "rejected", "score_chosen", "score_rejected",
            "thread_id", "source", "split");

    private static List<JsonNode> lines(Path dir) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String split : List.of("train", "val", "test")) {
            for (String line : Files.readAllLines(dir.resolve(split + ".jsonl"))) {
                JsonNode n = json.readTree(line);
                assertEquals(split, n.get("split").asText());
                all.add(n);
            }
        }
        return all;
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> names = new TreeSet<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void redditDumpsToSplitFiles(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("reddit");
        Result r = run("pairs", "--source", "reddit", "--submissions", RS.toString(), "--comments", RC.toString(),
                "--out", out.toString(), "--quiet");
        assertEquals(0, r.status(), r.err());
        List<JsonNode> all = lines(out);
        assertEquals(4, all.size());
        for (JsonNode n : all) {
            assertEquals(FIELDS, fieldNames(n));
            assertEquals("reddit", n.get("source").asText());
            assertTrue(n.get("chosen").asText().startsWith(" "));
            assertTrue(n.get("score_chosen").asInt() > n.get("score_rejected").asInt());
        }
        List<String> stats = Files.readAllLines(out.resolve("stats.csv"));
        assertEquals("section,name,count,first_lines", stats.get(0));
        assertTrue(stats.contains("kept,total,4,"), String.join("\n", stats));
        assertTrue(stats.contains("skipped_comments,orphan_comment,1,RC_fixture.ndjson:16"), String.join("\n", stats));
        assertTrue(r.out().contains("skipped comments bot: 1"), r.out());
        assertTrue(r.out().contains("first at RC_fixture.ndjson:6"), "line numbers of skipped records are printed: " + r.out());
        assertTrue(r.out().contains("wrote 4 comparisons"), r.out());
        assertFalse(r.out().contains("first_lines"), "the printed table stays narrow");
    }

    @Test
    void ruleOptions(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("o");
        Result r = run("pairs", "--source", "reddit", "--submissions", RS.toString(), "--comments", RC.toString(),
                "--out", out.toString(), "--quiet", "--no-later-rule", "--split", "100,0,0", "--margin");
        assertEquals(0, r.status(), r.err());
        List<JsonNode> all = lines(out);
        assertEquals(8, all.size(), "7 pairs on p1abc without the later rule, 1 on p2def");
        assertTrue(all.stream().allMatch(n -> n.get("split").asText().equals("train")));
        assertTrue(all.stream().allMatch(n -> n.get("margin").asDouble() >= Math.log(2) - 1e-12));

        r = run("pairs", "--source", "reddit", "--submissions", RS.toString(), "--comments", RC.toString(),
                "--out", out.toString(), "--quiet", "--no-later-rule", "--max-pairs-per-post", "3", "--min-score-ratio", "3",
                "--examples", "1");
        assertEquals(0, r.status(), r.err());
        assertEquals(4, lines(out).size(), "ratio >= 3 leaves 4 on p1abc, capped at 3; 1 on p2def");
        assertTrue(r.out().contains("skipped comments deleted_text: 2 (text is [deleted]/[removed] (or deleted/dead on HN));"
                + " first at RC_fixture.ndjson:5" + System.lineSeparator()), r.out());
    }

    /** Each rule option reaches its own rule, and only it; the defaults are SHP's. */
    @Test
    void eachRuleOptionSetsItsRule() {
        PairRules d = rules();
        // by text: a Pattern has no equals
        assertEquals(PairRules.defaults().toBuilder().split(d.split()).build().toString(), d.toString());
        assertFalse(rules("--keep-deleted-authors").dropDeletedAuthors());
        assertFalse(rules("--keep-op-replies").dropOpReplies());
        assertFalse(rules("--keep-nsfw").dropNsfwPosts());
        assertFalse(rules("--keep-edited-posts").dropEditedPosts());
        assertFalse(rules("--keep-link-posts").selfPostsOnly());
        assertFalse(rules("--all-depths").topLevelOnly());
        assertFalse(rules("--no-later-rule").requireLater());
        PairRules set = rules("--keep-nsfw", "--min-score-ratio", "3", "--min-post-score", "4", "--min-comment-score", "5",
                "--max-comments-per-post", "6", "--max-pairs-per-post", "7", "--max-tokens", "8", "--seed", "9");
        assertEquals(d.toBuilder().dropNsfwPosts(false).minScoreRatio(3).minPostScore(4).minCommentScore(5)
                .maxCommentsPerPost(6).maxPairsPerPost(7).maxTokens(8).seed(9).build().toString(), set.toString());
    }

    private static PairRules rules(String... options) {
        List<String> args = new ArrayList<>(List.of("pairs", "--source", "reddit", "--out", "o"));
        args.addAll(List.of(options));
        return ((PairsCommand) PlauditCli.commandLine().parseArgs(args.toArray(String[]::new)).subcommand()
                .commandSpec().userObject()).pairRules();
    }

    /** 1e400 parses to an infinite double: such a record is a counted skip, never "score_chosen":"Infinity". */
    @Test
    void nonFiniteScoresAreSkippedAndEveryWrittenScoreIsAJsonNumber(@TempDir Path dir) throws IOException {
        String shp = "{\"post_id\":\"p%d\",\"domain\":\"askculinary_train\",\"history\":\"Why %d?\","
                + "\"created_at_utc_A\":200,\"created_at_utc_B\":100,\"score_A\":%s,\"score_B\":%s,"
                + "\"human_ref_A\":\"Lower the heat.\",\"human_ref_B\":\"Buy it.\",\"labels\":1}";
        Path in = Files.writeString(dir.resolve("shp.jsonl"), String.join("\n", shp.formatted(1, 1, "10", "3"),
                shp.formatted(2, 2, "1e400", "3"), shp.formatted(3, 3, "10", "-1e400"), shp.formatted(4, 4, "\"NaN\"", "3"),
                shp.formatted(5, 5, "NaN", "3")) + "\n");
        String pair = "{\"prompt\":\"Q%d\",\"chosen\":\"a\",\"rejected\":\"b\",\"score_chosen\":%s,\"score_rejected\":2}";
        Path pairs = Files.writeString(dir.resolve("pairs.jsonl"), String.join("\n", pair.formatted(1, "9"),
                pair.formatted(2, "1e400"), pair.formatted(3, "-1e400"), pair.formatted(4, "\"Infinity\"")) + "\n");
        for (String[] c : List.of(new String[]{"shp", in.toString(), "3"}, new String[]{"pairs", pairs.toString(), "3"})) {
            Path out = dir.resolve("out-" + c[0]);
            Result r = run("pairs", "--source", c[0], "--input", c[1], "--out", out.toString(), "--quiet",
                    "--split", "1,0,0", "--margin");
            assertEquals(0, r.status(), r.err());
            List<JsonNode> all = lines(out);
            assertEquals(1, all.size(), c[0] + ": " + r.out());
            for (JsonNode n : all) {
                for (String f : List.of("score_chosen", "score_rejected", "margin")) {
                    assertTrue(n.get(f).isNumber() && Double.isFinite(n.get(f).doubleValue()), c[0] + " " + f + ": " + n);
                }
            }
            List<String> stats = Files.readAllLines(out.resolve("stats.csv"));
            assertTrue(stats.stream().anyMatch(l -> l.startsWith("skipped_records,non_finite_number," + c[2] + ",")),
                    String.join("\n", stats));
        }
    }

    /** A 100,000-deep HN document ended in a NullPointerException with its stack trace; now one line names where. */
    @Test
    void deeplyNestedHnDocumentIsOneLineOfError(@TempDir Path dir) throws IOException {
        Path doc = Files.writeString(dir.resolve("deep.json"), "[" + "{\"a\":[".repeat(100_000) + "\n");
        Result r = run("pairs", "--source", "hn", "--input", doc.toString(), "--out", dir.resolve("o").toString(), "--quiet");
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("deep.json: JSON nested deeper than 1000 levels at line 1, column "), r.err());
    }

    @Test
    void stackExchangeSource(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("se");
        Result r = run("pairs", "--source", "stackexchange", "--input",
                Fixtures.path("stackexchange/coffee.stackexchange.com/Posts.xml").toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.status(), r.err());
        List<JsonNode> all = lines(out);
        assertEquals(2, all.size());
        assertTrue(all.stream().allMatch(n -> n.get("thread_id").asText().equals("coffee.stackexchange.com/1")));
        assertTrue(r.out().contains("coffee.stackexchange.com"), "per-site counts are printed");
    }

    @Test
    void inputThatCannotBeReadIsANonZeroExitWithAClearMessage(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("x");
        Result missing = run("pairs", "--source", "reddit", "--comments", dir.resolve("RC_nope.zst").toString(), "--out", out.toString(), "--quiet");
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("RC_nope.zst: no such file"), missing.err());

        Result unknown = run("pairs", "--source", "myspace", "--input", RS.toString(), "--out", out.toString());
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown source 'myspace': expected one of reddit, shp, stackexchange, hn, pairs, csv"), unknown.err());

        Result badMap = run("pairs", "--source", "csv", "--input", Fixtures.path("csv/threads.csv").toString(), "--map", "thread=post_id,txt=body",
                "--out", out.toString());
        assertEquals(2, badMap.status());
        assertTrue(badMap.err().contains("--map: unknown key 'txt'"), badMap.err());

        Result noTime = run("pairs", "--source", "csv", "--input", Fixtures.path("csv/threads.csv").toString(),
                "--map", "thread=post_id,parent=parent_id,text=body,score=score", "--out", out.toString(), "--quiet");
        assertEquals(2, noTime.status());
        assertTrue(noTime.err().contains("--no-later-rule"), noTime.err());

        Path zst = Fixtures.zstd(RC, dir.resolve("RC_cut.zst"), 31);
        byte[] bytes = Files.readAllBytes(zst);
        Files.write(zst, Arrays.copyOf(bytes, bytes.length / 2));
        Result cut = run("pairs", "--source", "reddit", "--submissions", RS.toString(), "--comments", zst.toString(),
                "--out", out.toString(), "--quiet");
        assertEquals(2, cut.status());
        assertTrue(cut.err().contains("RC_cut.zst: truncated or corrupt zstd data at compressed byte"), cut.err());
        assertFalse(Files.exists(out.resolve("train.jsonl")), "no partial output");
        assertFalse(Files.exists(out.resolve("train.jsonl.partial")));
    }

    @Test
    void csvSourceWithAMapping(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("csv");
        Result r = run("pairs", "--source", "csv", "--input", Fixtures.path("csv/threads.csv").toString(),
                "--map", "thread=post_id,parent=parent_id,text=body,score=score,time=created", "--out", out.toString(), "--quiet");
        assertEquals(0, r.status(), r.err());
        assertEquals(3, lines(out).size());
        assertTrue(r.out().contains("skipped records wrong_type: 1"), r.out());
    }
}
