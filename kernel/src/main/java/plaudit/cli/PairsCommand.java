package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import plaudit.Setting;
import plaudit.UserError;
import plaudit.data.ComparisonsJsonl;
import plaudit.data.DataStats;
import plaudit.data.PairRules;
import plaudit.data.PairsJob;
import plaudit.data.Source;
import plaudit.data.Split;
import plaudit.data.SplitRule;
import plaudit.data.source.ColumnMap;
import plaudit.experiment.Experiment.Rules;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/**
 * {@code plaudit pairs}: upvote data to preference comparisons. Writes DIR/train.jsonl, DIR/val.jsonl,
 * DIR/test.jsonl and DIR/stats.csv; exits 0 when the input was read (skipped records are counted, not fatal).
 */
@Command(name = "pairs", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Builds preference comparisons (prompt, chosen, rejected) from upvote data.",
                "Defaults follow the Stanford Human Preferences dataset (SHP); every rule has an option.",
                "Writes DIR/{train,val,test}.jsonl and DIR/stats.csv."},
        footer = {"", "Examples:",
                "  plaudit pairs --source reddit --submissions RS_2019-10.zst --comments RC_2019-10.zst --out data/askwomen",
                "  plaudit pairs --source stackexchange --input coffee.stackexchange.com/Posts.xml --out data/coffee",
                "  plaudit pairs --source csv --input t.csv --map thread=post,parent=parent,text=body,score=score,time=ts --out d"})
public final class PairsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--source", required = true, paramLabel = "KIND",
            description = "reddit, shp, stackexchange, hn, pairs (chosen/rejected JSONL) or csv (CSV/JSONL with --map)")
    String source;

    @Option(names = "--submissions", paramLabel = "FILE", description = "Pushshift submissions (RS_*), .zst or NDJSON; repeatable")
    List<Path> submissions = new ArrayList<>();

    @Option(names = "--comments", paramLabel = "FILE", description = "Pushshift comments (RC_*), .zst or NDJSON; repeatable")
    List<Path> comments = new ArrayList<>();

    @Option(names = "--input", paramLabel = "FILE", description = "input file for the other sources; repeatable")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--map", paramLabel = "KEY=COLUMN,...",
            description = "for --source csv: thread, parent, text, score (required), time, id, author, title, community")
    String map;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--min-score-ratio", paramLabel = "R", description = "preferred score / other score at least R (default: ${DEFAULT-VALUE})")
    double minScoreRatio = Rules.MIN_SCORE_RATIO.defaultValue();

    private final SettingOptions<Rules> ruleSettings = new SettingOptions<>(Rules.SETTINGS);

    /** --min-post-score, --min-comment-score, --max-comments-per-post, --max-pairs-per-post. */
    @Mixin
    CommandSpec ruleOptions = ruleSettings.spec();

    @Option(names = "--no-later-rule", description = "do not require the preferred comment to be written later")
    boolean noLaterRule;

    @Option(names = "--all-depths", description = "compare all comments on a post, not only top-level ones")
    boolean allDepths;

    /** SHP's filters of comments and posts, each on unless its {@code --keep-…} flag is given. */
    @Mixin
    CommandSpec filterOptions = filterOptions();

    @Option(names = "--bot-pattern", paramLabel = "REGEX", description = "authors matching are bots (default: ${DEFAULT-VALUE})")
    String botPattern = PairRules.DEFAULT_BOTS;

    @Option(names = "--min-tokens", paramLabel = "N", description = "skip responses shorter than N whitespace tokens (default: off)")
    int minTokens;

    @Option(names = "--max-tokens", paramLabel = "N", description = "skip responses longer than N whitespace tokens (default: off)")
    int maxTokens = Rules.MAX_TOKENS.defaultValue();

    @Option(names = "--max-prompt-tokens", paramLabel = "N", description = "skip posts whose prompt is longer than N whitespace tokens (default: off)")
    int maxPromptTokens;

    @Option(names = "--no-dedupe", description = "keep repeated comment texts and repeated comparisons")
    boolean noDedupe;

    @Option(names = "--split", paramLabel = "T,V,T", description = "train,val,test weights, by thread (default: ${DEFAULT-VALUE})")
    String split = String.join(",", Rules.SPLIT.defaultValue().stream().map(Setting::text).toList());

    @Option(names = "--seed", paramLabel = "N", description = "seed of the split and of the per-post pair sample (default: ${DEFAULT-VALUE})")
    long seed = Rules.SPLIT_SEED.defaultValue();

    @Option(names = "--margin", description = "add margin = log(score_chosen / score_rejected) to each comparison")
    boolean margin;

    @Option(names = "--spill-mb", paramLabel = "MB", description = "memory for grouping threads before spilling to disk, at most an eighth of the Java heap "
            + "(default: ${DEFAULT-VALUE})")
    int spillMb = 128;

    @Option(names = "--examples", paramLabel = "N", description = "skipped line numbers shown per reason (default: ${DEFAULT-VALUE})")
    int examples = 5;

    @Option(names = "--quiet", description = "no progress bars")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        Source kind = Source.of(source);
        List<Path> files = inputFiles(kind);
        PairRules rules = pairRules();
        if (spillMb < 1) throw new UserError("--spill-mb must be >= 1");
        PairsJob job = new PairsJob(kind, files, rules).optSpill((long) spillMb << 20, 64).optProgress(!quiet)
                .optExamples(examples);
        if (kind == Source.CSV) job.optColumns(ColumnMap.parse(map));
        else if (map != null) throw new UserError("--map is only for --source csv");

        DataStats stats;
        try (ComparisonsJsonl.SplitWriter writer = new ComparisonsJsonl.SplitWriter(out, margin)) {
            stats = job.run(writer);
            writer.commit();
        }
        stats.table().write().csv(out.resolve("stats.csv").toFile());

        PrintWriter o = spec.commandLine().getOut();
        o.println(stats.table().selectColumns("section", "name", "count").printAll());
        for (String line : stats.skipReport()) o.println(line);
        o.printf("wrote %d comparisons: %d train, %d val, %d test -> %s%n", stats.kept(), stats.kept(Split.TRAIN),
                stats.kept(Split.VAL), stats.kept(Split.TEST), out);
        o.flush();
        return 0;
    }

    /** The rules the options give. */
    public PairRules pairRules() {
        Rules shared = ruleSettings.config(Rules.SETTINGS.builder().set(Rules.MIN_SCORE_RATIO, minScoreRatio)
                .set(Rules.TOP_LEVEL_ONLY, !allDepths).set(Rules.REQUIRE_LATER, !noLaterRule)
                .set(Rules.MAX_TOKENS, maxTokens).set(Rules.SPLIT_SEED, seed));
        PairRules.Builder b = shared.pairRules().toBuilder();
        for (Filter f : FILTERS) f.rule().accept(b, !Boolean.TRUE.equals(filterOptions.findOption(f.option()).getValue()));
        return b
                .botPattern(botPattern)
                .minTokens(minTokens).maxPromptTokens(maxPromptTokens).dedupe(!noDedupe)
                .split(SplitRule.parse(split, seed)).margin(margin)
                .build();
    }

    /** A filter: its {@code --keep-…} flag, the flag's description, and the rule the flag turns off. */
    private record Filter(String option, String description, BiConsumer<PairRules.Builder, Boolean> rule) {
    }

    private static final List<Filter> FILTERS = List.of(
            new Filter("--keep-deleted-authors", "keep comments whose author account was deleted",
                    PairRules.Builder::dropDeletedAuthors),
            new Filter("--keep-op-replies", "keep comments by the post's author", PairRules.Builder::dropOpReplies),
            new Filter("--keep-nsfw", "keep posts marked over-18", PairRules.Builder::dropNsfwPosts),
            new Filter("--keep-edited-posts", "keep posts edited after posting", PairRules.Builder::dropEditedPosts),
            new Filter("--keep-link-posts", "keep link posts (no text body)", PairRules.Builder::selfPostsOnly));

    private static CommandSpec filterOptions() {
        CommandSpec spec = CommandSpec.create();
        for (Filter f : FILTERS) {
            spec.addOption(OptionSpec.builder(f.option()).type(boolean.class).arity("0").description(f.description()).build());
        }
        return spec;
    }

    private List<Path> inputFiles(Source kind) {
        List<Path> files = new ArrayList<>();
        if (kind == Source.REDDIT) {
            if (comments.isEmpty() && inputs.isEmpty()) {
                throw new UserError("--source reddit needs --comments FILE (and --submissions FILE for the posts)");
            }
            files.addAll(submissions); // posts first: reads naturally; the joiner accepts any order
            files.addAll(comments);
            files.addAll(inputs);
        } else {
            if (!submissions.isEmpty() || !comments.isEmpty()) {
                throw new UserError("--submissions/--comments are for --source reddit; use --input FILE for " + kind.key());
            }
            if (inputs.isEmpty()) throw new UserError("--source " + kind.key() + " needs --input FILE");
            files.addAll(inputs);
        }
        return files;
    }
}
