package plaudit.dsl.jupyter

import org.jetbrains.kotlinx.jupyter.api.HTML
import org.jetbrains.kotlinx.jupyter.api.MIME
import org.jetbrains.kotlinx.jupyter.api.libraries.JupyterIntegration
import plaudit.report.HtmlTable
import plaudit.report.Plot
import tech.tablesaw.api.Table

/**
 * What `%use plaudit` does in a Kotlin notebook: imports Plaudit's DSL, reports and Tablesaw, and shows a cell's
 * [Table] as an HTML table and a [Plot] as an SVG image. The kernel finds this class through
 * `META-INF/kotlin-jupyter-libraries/libraries.json` as soon as the jar is on the notebook's classpath.
 */
class PlauditIntegration : JupyterIntegration() {
    override fun Builder.onLoaded() {
        import("plaudit.dsl.*", "plaudit.report.*", "tech.tablesaw.api.*")
        render<Table> { HTML(HtmlTable.render(it, TABLE_ROWS)) }
        render<Plot> { MIME("image/svg+xml" to it.toSvg()) }
        onLoaded {
            // nothing may download at run time: without this DJL's engine start-up calls home
            if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true")
        }
    }

    companion object {
        /** Rows a table shows in a cell (first and last half); `println(table.printAll())` shows all of them. */
        const val TABLE_ROWS = 20
    }
}
