package plaudit.dsl.jupyter

import org.jetbrains.kotlinx.jupyter.EvalRequestData
import org.jetbrains.kotlinx.jupyter.ReplForJupyter
import org.jetbrains.kotlinx.jupyter.api.MimeTypedResult
import org.jetbrains.kotlinx.jupyter.libraries.EmptyResolutionInfoProvider
import org.jetbrains.kotlinx.jupyter.repl.creating.createRepl
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import plaudit.UserError
import java.nio.file.Files
import kotlin.script.experimental.jvm.util.classpathFromClassloader

/**
 * Notebook cells evaluated by the Kotlin Jupyter kernel's REPL, in-process: what a user of `%use plaudit` sees.
 * One REPL for the class, since starting one compiles for seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotebookReplTest {
    private val repl: ReplForJupyter = run {
        val cp = classpathFromClassloader(NotebookReplTest::class.java.classLoader)!!
        val repl = createRepl(EmptyResolutionInfoProvider, cp, isEmbedded = true)
        // what the kernel does when a jar arrives on the classpath: load the integrations its libraries.json names
        repl.eval { repl.librariesScanner.addLibrariesFromClassLoader(repl.currentClassLoader, this, repl.notebook) }
        repl
    }

    private fun eval(code: String) = repl.evalEx(EvalRequestData(code))

    private fun display(code: String, mime: String): String? =
        (eval(code).displayValue as? MimeTypedResult)?.get(mime)

    @Test
    fun `integration imports the DSL, reports, liveProgress and Tablesaw`() {
        assertEquals(2, eval("gpt { nLayer = 2 }.nLayer()").rawValue)
        assertEquals("t", eval("Table.create(\"t\", DoubleColumn.create(\"x\")).name()").rawValue)
        assertEquals("p", eval("Plot.builder().title(\"p\").build().title()").rawValue)
        assertEquals(3L, eval("liveProgress(\"x\", total = 3) { p -> repeat(3) { p.step() }; p.done() }").rawValue)
    }

    @Test
    fun `a table shows as an HTML table with the row limit`() {
        val html = display("Table.create(\"metrics\", IntColumn.create(\"step\", *IntArray(50) { it }))", "text/html")!!
        assertTrue(html.startsWith("<table"), html)
        assertTrue(html.contains("<caption>metrics</caption>"))
        assertTrue(html.contains("… 30 more rows"), html)
        assertTrue(html.contains(">9</td>") && html.contains(">40</td>") && html.contains(">49</td>"))
        assertFalse(html.contains(">10</td>") || html.contains(">39</td>"))
    }

    @Test
    fun `a plot shows as an SVG image`() {
        val svg = display("Plot.builder().line(\"reward\", doubleArrayOf(0.0, 1.0), doubleArrayOf(0.5, 0.7)).build()", "image/svg+xml")!!
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg)
        assertTrue(svg.contains("<title>reward</title>"))
    }

    @Test
    fun `DJL runs PyTorch in a cell`() {
        val sum = eval(
            """
            ai.djl.ndarray.NDManager.newBaseManager("PyTorch").use { m -> m.create(floatArrayOf(1f, 2f, 3f)).sum().getFloat() }
            """.trimIndent()
        ).rawValue
        assertEquals(6.0f, sum)
    }

    @Test
    fun `a small experiment runs in a cell and shows its summary and plots`() {
        val dir = Files.createTempDirectory("plaudit-repl-")
        eval("val brief = reward(\"brief\") { _, response -> -response.length / 20.0 }")
        val html = display(
            """
            plaudit {
                tinySizes()
                reward { rm -> 0.5 * rm + brief }
                runner = local("$dir")
            }
            """.trimIndent(), "text/html"
        )!!
        assertTrue(html.contains("<caption>experiment summary</caption>") && html.contains("ppo_gold_winrate_vs_sft"), html.take(500))
        assertTrue(html.contains("<svg"), "plots are inline")
        assertEquals("live", System.getProperty("plaudit.progress"))
        assertTrue(Files.isRegularFile(dir.resolve("ppo/samples.csv")))
    }

    @Test
    fun `a bad setting fails the cell with Plaudit's message`() {
        val e = assertThrows<Exception> { eval("gpt { nHead = 3; nEmbd = 64 }") }
        val userError = generateSequence<Throwable>(e) { it.cause }.filterIsInstance<UserError>().firstOrNull()
        assertTrue(userError != null && userError.message!!.contains("n_head"), e.toString())
    }
}
