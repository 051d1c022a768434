package plaudit.dsl

import plaudit.UserError
import plaudit.report.Plot
import plaudit.experiment.ExperimentResult
import tech.tablesaw.api.DoubleColumn
import tech.tablesaw.api.StringColumn
import tech.tablesaw.api.Table

/** One stage's training log (`"pretrain"`, `"sft"`, `"rm"`, `"ppo"`, or a named PPO run); fails naming the stages run. */
fun ExperimentResult.metrics(stage: String): Table =
    metrics()[stage] ?: throw UserError("no stage '$stage' in this result; it has ${metrics().keys}")

/** The PPO samples (step, prompt, response, score, gold) of one run (default: the experiment's PPO run). */
fun ExperimentResult.ppoSamples(run: String = "ppo"): Table =
    samples()[run] ?: throw UserError("no PPO run '$run' in this result; it has ${samples().keys}")

/** One plot (`"ppo"`, `"reward_model"`, …); fails naming the plots there are. */
fun ExperimentResult.plot(name: String): Plot =
    plots()[name] ?: throw UserError("no plot '$name' in this result; it has ${plots().keys}")

/** The summaries of several runs side by side: one row per metric, one column per run. */
fun compare(vararg runs: Pair<String, ExperimentResult>): Table {
    val metrics = runs.flatMap { (_, r) -> r.summary().stringColumn("metric").asList() }.distinct()
    val table = Table.create("comparison", StringColumn.create("metric", metrics))
    for ((name, r) in runs) table.addColumns(DoubleColumn.create(name, metrics.map { r.value(it) }))
    return table
}

/**
 * One PPO log column of several runs against the step, e.g. `compareCurves("objective/gold", "rm" to a, "rm + polite" to b)`.
 */
fun compareCurves(column: String, vararg runs: Pair<String, ExperimentResult>, stage: String = "ppo"): Plot {
    val b = Plot.builder().title("$column by PPO step").xLabel("step").yLabel(column)
    for ((name, r) in runs) {
        val t = r.metrics(stage)
        b.line(name, t.numberColumn("step").asDoubleArray(), t.doubleColumn(column).asDoubleArray())
    }
    return b.build()
}

/**
 * One row per PPO run of the result: the reward, KL and gold at the end of training (mean of the last fifth of the
 * steps) and gold's peak. Gold is NaN for real data.
 */
fun ExperimentResult.ppoRuns(): Table {
    val runs = metrics().filterValues { it.columnNames().contains("objective/kl") }
    fun end(t: Table, c: String): Double {
        if (!t.columnNames().contains(c)) return Double.NaN
        val v = t.doubleColumn(c).removeMissing().asDoubleArray()
        if (v.isEmpty()) return Double.NaN
        val k = maxOf(1, v.size / 5)
        return v.takeLast(k).average()
    }
    fun peak(t: Table, c: String): Double =
        if (!t.columnNames().contains(c)) Double.NaN else t.doubleColumn(c).removeMissing().asDoubleArray().maxOrNull() ?: Double.NaN
    return Table.create(
        "PPO runs",
        StringColumn.create("run", runs.keys),
        DoubleColumn.create("reward_final", runs.values.map { end(it, "objective/scores") }),
        DoubleColumn.create("kl_final", runs.values.map { end(it, "objective/kl") }),
        DoubleColumn.create("gold_final", runs.values.map { end(it, "objective/gold") }),
        DoubleColumn.create("gold_peak", runs.values.map { peak(it, "objective/gold") }),
    )
}

/**
 * Histograms as lines on one plot: for each series, the share of its values in each of [bins] equal-width bins over
 * the range of all values (with [logX], bins equal in log space, for score ratios).
 */
fun histogram(title: String, vararg series: Pair<String, DoubleArray>, bins: Int = 20, logX: Boolean = false): Plot {
    val all = series.flatMap { it.second.asList() }.filter { it.isFinite() && (!logX || it > 0) }
    if (all.isEmpty()) throw UserError("histogram '$title': no finite values")
    fun t(x: Double) = if (logX) kotlin.math.ln(x) else x
    val lo = t(all.min())
    val hi = t(all.max()).let { if (it > lo) it else lo + 1 }
    val width = (hi - lo) / bins
    val b = Plot.builder().title(title).yLabel("share").logX(logX)
    for ((name, values) in series) {
        val counts = DoubleArray(bins)
        val ok = values.filter { it.isFinite() && (!logX || it > 0) }
        for (v in ok) counts[((t(v) - lo) / width).toInt().coerceIn(0, bins - 1)] += 1.0 / ok.size
        val centres = DoubleArray(bins) { lo + (it + 0.5) * width }.map { if (logX) kotlin.math.exp(it) else it }
        b.linePoints(name, centres.toDoubleArray(), counts)
    }
    return b.build()
}
