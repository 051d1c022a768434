package plaudit.cli;

import plaudit.report.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.experiment.Experiment;
import plaudit.sim.CorpusWriter;
import plaudit.sim.Forum;
import plaudit.sim.ForumConfig;
import plaudit.sim.ForumGenerator;
import plaudit.sim.ForumMeta;
import plaudit.sim.ForumStats;
import plaudit.sim.NoiseCeiling;
import plaudit.sim.PushshiftWriter;

/** {@code plaudit forum}: generates the synthetic forum as Pushshift dumps, with its meta file and an LM corpus. */
@Command(name = "forum", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Generate the synthetic forum, where the true preference (gold) is known.",
                "Writes DIR/RS_forum.ndjson and DIR/RC_forum.ndjson (or .zst) in Pushshift format, and "
                        + "DIR/forum_meta.json with the config, counts and noise ceiling."})
public final class ForumCommand implements Callable<Integer> {

    private static final ForumConfig DEFAULTS = ForumConfig.builder().build();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "number of posts (threads)")
    int threads = DEFAULTS.threads();

    @Option(names = "--seed", paramLabel = "S", description = "random seed; same seed, same bytes")
    long seed = DEFAULTS.seed();

    @Option(names = "--zst", description = "write zstd-compressed .zst dumps instead of .ndjson")
    boolean zst;

    @Option(names = "--corpus", paramLabel = "FILE",
            description = "also write a pretraining corpus: one thread per document, each followed by a line "
                    + "<|endoftext|>")
    Path corpus;

    @Option(names = "--min-comments", description = "fewest comments per thread")
    int minComments = DEFAULTS.minComments();

    @Option(names = "--max-comments", description = "most comments per thread")
    int maxComments = DEFAULTS.maxComments();

    @Option(names = "--topics", paramLabel = "SUB=W,...",
            description = "subreddits and their weights, e.g. cooking=2,guitar=1 (a bare name means weight 1); "
                    + "default: all eight (cooking, bicycling, gardening, programming, guitar, fitness, photography, "
                    + "travel)")
    String topics;

    @Option(names = "--start", paramLabel = "TIME",
            description = "first post time: epoch seconds, yyyy-mm-dd or an ISO instant")
    String start = Long.toString(DEFAULTS.startUtc());

    @Option(names = "--days", description = "days the posts are spread over")
    int days = DEFAULTS.days();

    @Option(names = "--nested", paramLabel = "SHARE", description = "share of comments replying to a comment")
    double nested = DEFAULTS.nestedShare();

    @Option(names = "--op-replies", paramLabel = "SHARE", description = "share of nested replies by the post's author")
    double opReplies = DEFAULTS.opReplyShare();

    @Option(names = "--median-viewers", description = "median readers per thread")
    double medianViewers = DEFAULTS.medianViewers();

    private final SettingOptions<Experiment.Forum> knobs = new SettingOptions<>(Experiment.Forum.SETTINGS);
    /** --voters, --vote-noise, --charm, --length-bias, --hype-bias, --herding: the experiment's forum knobs. */
    @Mixin
    CommandSpec knobOptions = knobs.spec();

    @Option(names = "--deleted", paramLabel = "SHARE", description = "share of comments deleted by their author")
    double deleted = DEFAULTS.deletedShare();

    @Option(names = "--removed", paramLabel = "SHARE", description = "share of comments removed by moderators")
    double removed = DEFAULTS.removedShare();

    @Option(names = "--automod", paramLabel = "SHARE", description = "share of threads with an AutoModerator comment")
    double automod = DEFAULTS.automodShare();

    @Option(names = "--edited", paramLabel = "SHARE", description = "share of posts and comments edited")
    double edited = DEFAULTS.editedShare();

    @Option(names = "--post-deleted", paramLabel = "SHARE", description = "share of posts deleted or removed")
    double postDeleted = DEFAULTS.postDeletedShare();

    @Option(names = "--time-format", description = "created_utc as ${COMPLETION-CANDIDATES}")
    ForumConfig.TimeFormat timeFormat = DEFAULTS.timeFormat();

    @Override
    public Integer call() throws IOException {
        ForumConfig config = knobs().configBuilder()
                .seed(seed).startUtc(parseStart(start)).days(days).comments(minComments, maxComments)
                .topicWeights(topics == null ? DEFAULTS.topicWeights() : parseTopics(topics))
                .nestedShare(nested).opReplyShare(opReplies).medianViewers(medianViewers)
                .deletedShare(deleted).removedShare(removed).automodShare(automod).editedShare(edited)
                .postDeletedShare(postDeleted).timeFormat(timeFormat)
                .build();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UserError("--out " + out + " is a file; give a directory (it is created if missing)");
        }

        long t0 = System.nanoTime();
        Forum forum;
        try (Progress p = new Progress("forum", config.threads())) {
            forum = new ForumGenerator(config).generate(p::step);
        }
        double genSeconds = (System.nanoTime() - t0) / 1e9;

        List<Path> dumps = new PushshiftWriter(forum).write(out, "forum", zst);
        List<String> files = new ArrayList<>();
        for (Path f : dumps) files.add(f.getFileName().toString());
        if (corpus != null) CorpusWriter.write(forum, corpus);
        ForumStats stats = ForumStats.of(forum);
        NoiseCeiling ceiling = NoiseCeiling.of(forum);
        ForumMeta.write(ForumMeta.of(forum, stats, ceiling, files), out.resolve(ForumMeta.FILE_NAME));

        System.err.printf(Locale.ROOT, "%d threads, %d comments in %.1f s (%.0f threads/s)%n",
                stats.threads(), stats.comments(), genSeconds, stats.threads() / genSeconds);
        System.err.printf(Locale.ROOT, "noise ceiling: %.3f on %d SHP pairs (%.3f on %d pairs without the time rule)%n",
                ceiling.agreement(), ceiling.pairs(), ceiling.agreementNoTimeRule(), ceiling.pairsNoTimeRule());
        for (Path f : dumps) System.err.printf(Locale.ROOT, "wrote %s (%,d bytes)%n", f, Files.size(f));
        System.err.println("wrote " + out.resolve(ForumMeta.FILE_NAME));
        if (corpus != null) System.err.printf(Locale.ROOT, "wrote %s (%,d bytes)%n", corpus, Files.size(corpus));
        return 0;
    }

    /** The experiment's forum knobs the options give, with --threads. */
    public Experiment.Forum knobs() {
        return knobs.config(Experiment.Forum.SETTINGS.builder().set(Experiment.Forum.THREADS, threads));
    }

    static Map<String, Double> parseTopics(String spec) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) continue;
            int eq = item.indexOf('=');
            String name = eq < 0 ? item : item.substring(0, eq).trim();
            double w = 1;
            if (eq >= 0) {
                try {
                    w = Double.parseDouble(item.substring(eq + 1).trim());
                } catch (NumberFormatException e) {
                    throw new UserError("--topics: weight of '" + name + "' is not a number: '"
                            + item.substring(eq + 1) + "'; write e.g. cooking=2,guitar=1");
                }
            }
            weights.put(name, w);
        }
        if (weights.isEmpty()) throw new UserError("--topics is empty; write e.g. cooking=2,guitar=1");
        return weights;
    }

    static long parseStart(String s) {
        try {
            if (s.matches("\\d+")) return Long.parseLong(s);
            if (s.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            }
            return Instant.parse(s).getEpochSecond();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new UserError("--start '" + s + "' is not a time; give epoch seconds, 2021-01-01 or "
                    + "2021-01-01T00:00:00Z");
        }
    }
}
