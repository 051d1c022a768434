package plaudit.data;

import plaudit.UserError;
import plaudit.data.io.InputFile;
import plaudit.data.source.ChosenRejectedReader;
import plaudit.data.source.ColumnMap;
import plaudit.data.source.HackerNewsReader;
import plaudit.data.source.MappedReader;
import plaudit.data.source.PushshiftReader;
import plaudit.data.source.RecordSink;
import plaudit.data.source.ShpReader;
import plaudit.data.source.SourceReader;
import plaudit.data.source.StackExchangeReader;
import plaudit.report.Progress;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Upvote data to comparisons, end to end: read every input file with the source's reader, screen records as they
 * arrive, join posts and comments into threads (spilling to disk past a memory budget), apply the pair rules, and
 * hand each split-assigned comparison to a consumer. Returns the statistics.
 *
 * <pre>{@code
 * DataStats stats = new PairsJob(Source.REDDIT, List.of(rs, rc), PairRules.defaults()).run(writer);
 * }</pre>
 */
public final class PairsJob {
    private final Source source;
    private final List<Path> inputs;
    private final PairRules rules;
    private ColumnMap columns;
    private long spillBytes = 128L << 20;
    private int partitions = 64;
    private boolean progress;
    private int examples = 5;
    private boolean spilled;

    /** @param inputs files in reading order; any order works, since threads are joined after reading */
    public PairsJob(Source source, List<Path> inputs, PairRules rules) {
        if (inputs.isEmpty()) throw new UserError("no input files given for --source " + source.key());
        this.source = source;
        this.inputs = List.copyOf(inputs);
        this.rules = rules;
    }

    /** The column mapping, required for {@link Source#CSV}. */
    public PairsJob optColumns(ColumnMap map) {
        this.columns = map;
        return this;
    }

    /** Memory for grouping threads before spilling to disk (default 128 MiB), and the spill partitions (default 64). */
    public PairsJob optSpill(long bytes, int parts) {
        this.spillBytes = bytes;
        this.partitions = parts;
        return this;
    }

    /** How many file:line places to remember per skip reason (default 5). */
    public PairsJob optExamples(int n) {
        if (n < 0) throw new UserError("--examples must be >= 0");
        this.examples = n;
        return this;
    }

    /** Show progress bars on standard error (default off). */
    public PairsJob optProgress(boolean show) {
        this.progress = show;
        return this;
    }

    /** Whether the last {@link #run} grouped threads on disk. */
    public boolean spilled() {
        return spilled;
    }

    private SourceReader reader() {
        return switch (source) {
            case REDDIT -> new PushshiftReader();
            case SHP -> new ShpReader();
            case STACKEXCHANGE -> new StackExchangeReader();
            case HN -> new HackerNewsReader();
            case PAIRS -> new ChosenRejectedReader();
            case CSV -> {
                if (columns == null) throw new UserError("--source csv needs --map thread=…,parent=…,text=…,score=…[,time=…]");
                if (columns.time() == null && rules.requireLater()) {
                    throw new UserError("--map has no time=COLUMN, so the later-written rule cannot be checked: "
                            + "map a time column or pass --no-later-rule");
                }
                yield new MappedReader(columns);
            }
        };
    }

    public DataStats run(Consumer<Comparison> out) {
        SourceReader reader = reader();
        DataStats stats = new DataStats(examples);
        ComparisonBuilder builder = new ComparisonBuilder(rules, source, stats, out);
        try (ThreadJoiner joiner = new ThreadJoiner(spillBytes, partitions, stats)) {
            for (Path file : inputs) {
                try (InputFile in = InputFile.open(file);
                     Progress bar = progress ? new Progress("read " + in.name(), in.size()) : null) {
                    reader.read(in, new Screening(builder, joiner, stats, in, bar), stats);
                    if (bar != null) bar.advance(in.size() - bar.done());
                }
            }
            try (Progress bar = progress ? new Progress("pair threads", 0) : null) {
                joiner.finish(group -> {
                    pair(group, builder, stats);
                    if (bar != null) bar.set("kept", String.valueOf(stats.kept())).step();
                });
            }
            spilled = joiner.spilled();
        }
        return stats;
    }

    private void pair(ThreadJoiner.Group g, ComparisonBuilder builder, DataStats stats) {
        if (g.post() == null && g.postSkip() == null) {
            for (Comment c : g.comments()) stats.skip(DataStats.Unit.COMMENTS, SkipReason.ORPHAN_COMMENT, c.file(), c.line());
        } else if (g.postSkip() != null) {
            for (Comment c : g.comments()) stats.skip(DataStats.Unit.COMMENTS, SkipReason.POST_SKIPPED, c.file(), c.line());
        } else {
            builder.thread(PostThread.assemble(g.post(), g.comments(), source.ranked(), stats));
        }
    }

    /** Counts what readers deliver, screens it, and feeds the joiner (threads) or the builder (ready pairs). */
    private static final class Screening implements RecordSink {
        private final ComparisonBuilder builder;
        private final ThreadJoiner joiner;
        private final DataStats stats;
        private final InputFile in;
        private final Progress bar;
        private int sinceUpdate;

        Screening(ComparisonBuilder builder, ThreadJoiner joiner, DataStats stats, InputFile in, Progress bar) {
            this.builder = builder;
            this.joiner = joiner;
            this.stats = stats;
            this.in = in;
            this.bar = bar;
        }

        @Override
        public void post(Post p) {
            tick();
            stats.countRead(DataStats.Unit.POSTS);
            SkipReason r = builder.screen(p);
            if (r == null) joiner.post(p);
            else joiner.skippedPost(p.threadId(), r);
        }

        @Override
        public void comment(Comment c) {
            tick();
            stats.countRead(DataStats.Unit.COMMENTS);
            if (builder.admit(c)) joiner.comment(c);
        }

        @Override
        public void pair(PreferencePair p) {
            tick();
            stats.countRead(DataStats.Unit.PAIRS);
            builder.pair(p);
        }

        private void tick() {
            if (bar != null && ++sinceUpdate == 4096) {
                sinceUpdate = 0;
                bar.advance(in.compressedBytesRead() - bar.done());
            }
        }
    }
}
