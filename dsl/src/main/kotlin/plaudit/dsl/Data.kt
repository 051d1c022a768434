package plaudit.dsl

import plaudit.UserError
import plaudit.data.Comparison
import plaudit.data.PairsJob
import plaudit.data.Source
import plaudit.data.source.ColumnMap
import plaudit.experiment.Experiment
import tech.tablesaw.api.DoubleColumn
import tech.tablesaw.api.IntColumn
import tech.tablesaw.api.StringColumn
import tech.tablesaw.api.Table
import java.nio.file.Path

/**
 * Where comparisons come from: the synthetic forum, or real files of one source. Made by [syntheticForum], [reddit],
 * [shp], [stackExchange], [hackerNews], [pairsJsonl] or [csv]; given to `upvotes(…)` inside an experiment.
 */
class DataSource internal constructor(
    /** The source key (`synthetic`, `reddit`, `shp`, `stackexchange`, `hn`, `pairs`, `csv`). */
    val source: String,
    /** The input files (none for the synthetic forum). */
    val files: List<String>,
    /** The synthetic forum's knobs (ignored for real data). */
    val forum: Experiment.Forum = Experiment.Forum.defaults(),
    /** The column mapping of a CSV/JSONL source. */
    val columns: String? = null,
) {
    override fun toString(): String =
        if (source == Experiment.SYNTHETIC) ForumBuilder(forum).toString()
        else "$source(${files.joinToString()})"
}

/**
 * The synthetic forum: simulated threads whose hidden gold preference is known, so every result can be measured
 * against it. `syntheticForum { threads = 500; charm = 1.0 }`.
 */
fun syntheticForum(block: ForumBuilder.() -> Unit = {}): DataSource =
    DataSource(Experiment.SYNTHETIC, listOf(), ForumBuilder().apply(block).build())

/** Pushshift Reddit dumps: a submissions file (RS_…) and a comments file (RC_…), NDJSON, plain or `.zst`. */
fun reddit(vararg files: String): DataSource = DataSource("reddit", files.toList())

/** Stanford Human Preferences JSONL files (ready comparisons with scores). */
fun shp(vararg files: String): DataSource = DataSource("shp", files.toList())

/** Stack Exchange data dump `Posts.xml` files: questions and their scored answers. */
fun stackExchange(vararg files: String): DataSource = DataSource("stackexchange", files.toList())

/** Hacker News API items (JSONL): comment rank in the parent's `kids` is the preference. */
fun hackerNews(vararg files: String): DataSource = DataSource("hn", files.toList())

/** Chosen/rejected JSONL (HH-RLHF transcripts, or prompt/chosen/rejected as `plaudit pairs` writes). */
fun pairsJsonl(vararg files: String): DataSource = DataSource("pairs", files.toList())

/** Any CSV or JSONL with a column mapping, e.g. `csv("threads.csv", columns = "thread=tid,parent=pid,text=body,score=ups,time=ts")`. */
fun csv(vararg files: String, columns: String): DataSource = DataSource("csv", files.toList(), columns = columns)

/**
 * The synthetic forum's main knobs (meanings on [plaudit.sim.ForumConfig]), on [Experiment.Forum.SETTINGS]: the same
 * defaults and meanings as `plaudit forum`'s options.
 */
class ForumBuilder(from: Experiment.Forum = Experiment.Forum.defaults()) :
    SettingsBuilder<Experiment.Forum>("syntheticForum", Experiment.Forum.SETTINGS, from) {
    var threads: Int by v; var voters: Int by v; var voteNoise: Double by v; var charm: Double by v
    var lengthBias: Double by v; var hypeBias: Double by v; var herding: Double by v
}

/**
 * The rules that turn threads into comparisons: `upvotes(reddit(rs, rc)) { minScoreRatio = 3.0; split(80, 10, 10) }`.
 * Each property reads and writes its setting in [Experiment.Rules.SETTINGS] (defaults SHP's, Ethayarajh et al. 2022;
 * meanings on [plaudit.data.PairRules]), the same as `plaudit pairs`'s.
 */
class RulesBuilder(from: Experiment.Rules = Experiment.Rules.defaults()) :
    SettingsBuilder<Experiment.Rules>("rules", Experiment.Rules.SETTINGS, from) {
    var minScoreRatio: Double by v; var minPostScore: Int by v; var minCommentScore: Int by v
    var maxCommentsPerPost: Int by v; var maxPairsPerPost: Int by v
    var topLevelOnly: Boolean by v; var requireLater: Boolean by v; var maxTokens: Int by v
    var splitSeed: Long by v

    /** Train, validation and test weights, by thread (e.g. `split(90, 5, 5)`). */
    fun split(train: Number, validation: Number, test: Number) {
        v["split"] = listOf(train.toDouble(), validation.toDouble(), test.toDouble())
    }

    /** The rules as the DSL writes them; the split as its call. */
    override fun toString(): String = settingsText("rules", Experiment.Rules.SETTINGS, v) { name, value ->
        if (name == "split") "split(${(value as List<*>).joinToString()})" else "$name = ${dslLiteral(value)}"
    }
}

/**
 * Builds the comparisons of a real [source] with the SHP rules (changed in [block]) without training anything: for
 * looking at data before an experiment. `upvotePairs(shp("train.jsonl")) { minScoreRatio = 3.0 }.stats`.
 */
fun upvotePairs(source: DataSource, block: RulesBuilder.() -> Unit = {}): UpvotePairs {
    if (source.source == Experiment.SYNTHETIC) {
        throw UserError("upvotePairs reads files; the synthetic forum's dumps are in samples/forum (reddit(…))")
    }
    val rules = RulesBuilder().apply(block).build()
    val job = PairsJob(Source.of(source.source), source.files.map { Path.of(it) },
        rules.pairRules())
    if (source.columns != null) job.optColumns(ColumnMap.parse(source.columns))
    val out = ArrayList<Comparison>()
    val stats = job.run { out.add(it) }
    return UpvotePairs(out, stats.table())
}

/** Comparisons and the statistics of building them (read, skipped by reason, kept per split and community). */
class UpvotePairs(val comparisons: List<Comparison>, val stats: Table) {
    /** One row per comparison: split, community, scores, their ratio, word counts, and the texts. */
    fun table(): Table {
        fun words(s: String) = s.split(Regex("\\s+")).count { it.isNotEmpty() }
        val c = comparisons
        return Table.create(
            "comparisons",
            StringColumn.create("split", c.map { it.split().key() }),
            StringColumn.create("source", c.map { it.source() }),
            DoubleColumn.create("score_chosen", c.map { it.scoreChosen() }),
            DoubleColumn.create("score_rejected", c.map { it.scoreRejected() }),
            DoubleColumn.create("score_ratio", c.map { maxOf(1.0, it.scoreChosen()) / maxOf(1.0, it.scoreRejected()) }),
            IntColumn.create("chosen_words", *c.map { words(it.chosen()) }.toIntArray()),
            IntColumn.create("rejected_words", *c.map { words(it.rejected()) }.toIntArray()),
            StringColumn.create("prompt", c.map { it.prompt() }),
            StringColumn.create("chosen", c.map { it.chosen() }),
            StringColumn.create("rejected", c.map { it.rejected() }),
        )
    }

    override fun toString(): String = "${comparisons.size} comparisons"
}
