package plaudit.dsl.script

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.ByteArrayOutputStream
import java.io.File
import java.io.PrintStream

class RunScriptTest {
    @TempDir
    lateinit var dir: File

    private fun run(name: String, code: String): Pair<Int, String> {
        val f = File(dir, name).apply { writeText(code.trimIndent()) }
        val err = ByteArrayOutputStream()
        val out = System.out
        val captured = ByteArrayOutputStream()
        System.setOut(PrintStream(captured, true))
        val rc = try {
            RunScript.run(f, PrintStream(err, true))
        } finally {
            System.setOut(out)
        }
        return rc to (captured.toString() + err.toString())
    }

    @Test
    fun `a script starts an experiment from a Hugging Face folder with LoRA`() {
        val model = File(dir, "llama").apply { mkdirs(); File(this, "config.json").writeText("""{"model_type": "llama"}""") }
        val (rc, out) = run(
            "folder.plaudit.kts", """
            val exp = experiment {
                model { from("${model.path}") }
                lora { rank = 8; alpha = 16.0; dropout = 0.05; targets("q_proj", "v_proj") }
                chatTemplate = false
            }
            println("from=" + exp.experiment.model().from() + " lora=" + exp.experiment.lora() + " chat=" + exp.experiment.chatTemplate())
            """
        )
        assertEquals(0, rc, out)
        assertTrue(out.contains("from=${model.path} lora=LoraSettings[rank=8, alpha=16.0, dropout=0.05, targets=q_proj,v_proj] chat=false"), out)
    }

    @Test
    fun `a script sees Plaudit's DSL without imports and prints its value`() {
        val (rc, out) = run(
            "ok.plaudit.kts", """
            val exp = experiment { ppo { klCoef = 0.2; adaptiveKl(target = 3.0) } }
            val polite = reward("polite") { _, r -> if ("please" in r) 1.0 else 0.0 }
            println("kl=" + exp.experiment.ppo().klCoef() + " polite=" + (0.5 * polite).score("", "please"))
            Table.create("t", IntColumn.create("n", 1, 2))
            """
        )
        assertEquals(0, rc, out)
        assertTrue(out.contains("kl=0.2 polite=0.5"), out)
        assertTrue(out.contains("t") && out.contains(" n "), out)
    }

    @Test
    fun `a compile error names the file, line and column`() {
        val (rc, out) = run("bad.plaudit.kts", "val a = 1\nval b = undefinedThing + a\n")
        assertEquals(2, rc)
        assertTrue(out.contains("bad.plaudit.kts:2:9: error: Unresolved reference: undefinedThing"), out)
        assertFalse(out.contains("\tat "), "no stack trace: $out")
    }

    @Test
    fun `a Plaudit error at run time names the script's line and the setting`() {
        val (rc, out) = run(
            "wrong.plaudit.kts", """
            println("start")
            val exp = experiment {
                ppo { batchSize = 6; miniBatchSize = 4 }
            }
            """
        )
        assertEquals(2, rc, out)
        assertTrue(Regex("wrong\\.plaudit\\.kts:[23]: ppo config: mini_batch_size = 4").containsMatchIn(out), out)
        assertFalse(out.contains("\tat "), "no stack trace: $out")
    }

    @Test
    fun `any other exception names the script's line and the exception`() {
        val (rc, out) = run("boom.plaudit.kts", "val xs = listOf(1)\n\nprintln(xs[3])\n")
        assertEquals(1, rc, out)
        assertTrue(out.contains("boom.plaudit.kts:3: java.lang.IndexOutOfBoundsException"), out)
    }
}
