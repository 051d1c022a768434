package plaudit.dsl.jupyter

import org.jetbrains.kotlinx.jupyter.api.HTML
import org.jetbrains.kotlinx.jupyter.api.MIME
import org.jetbrains.kotlinx.jupyter.api.libraries.JupyterIntegration
import plaudit.dsl.PlauditExperiment
import plaudit.dsl.SteeringResult
import plaudit.report.HtmlTable
import plaudit.report.Plot
import plaudit.experiment.ExperimentResult
import tech.tablesaw.api.Table

/**
 * What `%use plaudit` does in a Kotlin notebook: imports Plaudit's DSL, reports, [liveProgress] and Tablesaw, and
 * shows a cell's [Table] as an HTML table and a [Plot] as an SVG image. The kernel finds this class through
 * `META-INF/kotlin-jupyter-libraries/libraries.json` as soon as the jar is on the notebook's classpath.
 */
class PlauditIntegration : JupyterIntegration() {
    override fun Builder.onLoaded() {
        import("plaudit.dsl.*", "plaudit.dsl.jupyter.liveProgress", "plaudit.report.*", "tech.tablesaw.api.*",
            "plaudit.experiment.Experiment", "plaudit.experiment.ExperimentResult", "plaudit.data.RewardFunction")
        render<Table> { HTML(HtmlTable.render(it, TABLE_ROWS)) }
        render<Plot> { MIME("image/svg+xml" to it.toSvg()) }
        render<ExperimentResult> { HTML(resultHtml(it)) }
        render<PlauditExperiment> { HTML(HtmlTable.render(it.settings(), Int.MAX_VALUE)) }
        render<SteeringResult> { HTML(HtmlTable.render(it.table, TABLE_ROWS)) }
        onLoaded {
            // the trainers' progress bars redraw one line with \r, which a cell shows live; on stdout, as the kernel
            // shows a library's stdout in the cell and sends its stderr to the kernel's log
            setIfAbsent("plaudit.progress", "live")
            setIfAbsent("plaudit.progress.stream", "stdout")
            // as bin/plaudit: PyTorch's graph optimiser re-profiles every new shape, slow for generation
            setIfAbsent("ai.djl.pytorch.graph_optimizer", "false")
            // nothing may download at run time: without this DJL's engine start-up calls home
            setIfAbsent("ai.djl.offline", "true")
            // Cells do not see the kernel's own logging (logback), only this library's slf4j-api and slf4j-simple.
            // Name the provider, or SLF4J also finds logback's service entry and reports it cannot load it; and log
            // at WARN (to the kernel's stderr, not the cell), so DJL's INFO start-up lines stay out of CI logs.
            if (PlauditIntegration::class.java.classLoader.getResource("org/slf4j/simple/SimpleServiceProvider.class") != null) {
                setIfAbsent("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider")
                setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn")
                setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error") // "no GPU" on CPU hosts
            }
        }
    }

    /** A result in a cell: the summary, then every plot. Tables of stages and samples are a call away. */
    private fun resultHtml(r: ExperimentResult): String = buildString {
        append("<div class=\"plaudit-result\">")
        append(HtmlTable.render(r.summary(), Int.MAX_VALUE))
        for (p in r.plots().values) append("<div>").append(p.toSvg()).append("</div>")
        append("<p>stages: ").append(r.metrics().keys.joinToString()).append("; files: ").append(r.out()).append("</p></div>")
    }

    private fun setIfAbsent(key: String, value: String) {
        if (System.getProperty(key) == null) System.setProperty(key, value)
    }

    companion object {
        /** Rows a table shows in a cell (first and last half); `println(table.printAll())` shows all of them. */
        const val TABLE_ROWS = 20
    }
}
