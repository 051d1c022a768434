package plaudit.dsl

import ai.djl.Device
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import picocli.CommandLine
import plaudit.UserError
import plaudit.cli.PlauditCli
import plaudit.cli.SteerCommand
import plaudit.train.steer.SoftPrefix
import plaudit.model.Checkpoint
import plaudit.model.Gpt
import plaudit.model.GptConfig
import plaudit.text.BpeTrainer
import java.nio.file.Path

class SteerDslTest {
    private val prompts = listOf("how do i fix my bike chain?", "my tent leaks when it rains", "which lens for portraits?",
        "the soup is too salty, help", "my code runs slowly")

    @Test
    fun `steer block runs both methods and returns a table`(@TempDir dir: Path) {
        val tok = BpeTrainer.train(prompts, BpeTrainer.Config.of(280))
        val cfg = GptConfig(1, 2, 16, 32, tok.vocabSize(), 0.0)
        Gpt.init(cfg, Device.cpu(), 1).use {
            Checkpoint.writer().config(cfg).parameters(it.parameters()).tokenizer(tok).write(dir.resolve("ckpt"))
        }
        val s = steer {
            checkpoint = dir.resolve("ckpt").toString(); target = " try"; softTokens = 2; steps = 2
            prefixTokens = 2; gcgSteps = 1; samplesPerPrompt = 1; maxNewTokens = 3; prompts = this@SteerDslTest.prompts
        }
        assertEquals(listOf("soft", "discrete"), s.table.stringColumn("method").asList())
        assertTrue(s.table.columnNames().containsAll(listOf("p_target_before", "p_target_after", "kl", "gold_after")))
        assertTrue(s.results.all { it.pTargetBefore() > 0 && it.pTargetAfter() > 0 })
    }

    @Test
    fun `missing checkpoint is a user error and defaults are visible`() {
        assertThrows<UserError> { steer { target = " try" } }
        assertTrue(SteerBuilder().toString().contains("softTokens = 8"), SteerBuilder().toString())
    }

    @Test
    fun `steer { } and plaudit steer reject a bad setting with the same message`() {
        fun cli(vararg options: String) = PlauditCli.commandLine()
            .parseArgs("steer", "--checkpoint", "c", "--target", "t", "--out", "o", *options)
            .subcommand().commandSpec().userObject() as SteerCommand
        val maxPrompts = assertThrows<UserError> { steer { checkpoint = "c"; target = " t"; maxPrompts = 0 } }.message
        assertEquals("steer: max_prompts = 0 is invalid; expected at least 1", maxPrompts)
        assertEquals(maxPrompts, assertThrows<UserError> { cli("--max-prompts", "0").steerRun() }.message)
        val steps = assertThrows<UserError> { steer { checkpoint = "c"; steps = 0 } }.message
        assertEquals("steer config: steps = 0 is invalid; expected a positive number of Adam steps", steps)
        assertEquals(steps, assertThrows<UserError> { cli("--steps", "0").config() }.message)
        val method = assertThrows<UserError> { steer { checkpoint = "c"; method = "magic" } }.message
        assertEquals(method, assertThrows<UserError> { cli("--method", "magic").steerRun() }.message)
        val position = assertThrows<UserError> { SteerBuilder().position = "middle" }.message!!
        assertEquals("position 'middle' is unknown; use before or after", position)
        val usage = assertThrows<CommandLine.ParameterException> { cli("--position", "middle") }.message!!
        assertTrue(usage.endsWith(position), usage)
        assertEquals(SoftPrefix.Position.BEFORE, cli("--position", " Before").config().position())
        assertEquals(SoftPrefix.Position.BEFORE, SteerBuilder().also { it.position = " Before" }.config().position())
    }
}
