package plaudit.dsl

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import plaudit.UserError
import plaudit.experiment.Experiment
import plaudit.experiment.ModelSpec
import plaudit.model.LoraSettings
import java.nio.file.Files
import java.nio.file.Path

/** `model { from("folder") }`, `lora { }` and `chatTemplate`: the start from a Hugging Face model. */
class FolderModelDslTest {
    @TempDir
    lateinit var dir: Path

    /** A folder the spec accepts: only its config.json's model_type is read when the spec is read. */
    private fun folder(): String {
        val f = Files.createDirectories(dir.resolve("llama"))
        Files.writeString(f.resolve("config.json"), """{"model_type": "llama"}""")
        return f.toString()
    }

    @Test
    fun `a folder with LoRA and no chat template reaches the Java experiment and its JSON`() {
        val path = folder()
        val exp = experiment {
            model { from(path) }
            lora { rank = 8; alpha = 16.0; dropout = 0.05; targets("q_proj", "v_proj") }
            chatTemplate = false
        }
        val e = exp.experiment
        assertEquals(ModelSpec.from(path), e.model())
        assertEquals(LoraSettings(8, 16.0, 0.05, "q_proj,v_proj"), e.lora())
        assertFalse(e.chatTemplate())
        assertEquals(e, Experiment.fromJson(exp.toJson()))
        val text = exp.toString()
        assertTrue(text.contains("model { from(\"$path\") }"), text)
        assertTrue(text.contains("lora { rank = 8; alpha = 16.0; dropout = 0.05; targets = \"q_proj,v_proj\" }"), text)
        assertTrue(text.contains("chatTemplate = false"), text)
        val settings = exp.settings()
        val row = settings.stringColumn("setting").indexOf("lora.rank")
        assertEquals("8", settings.stringColumn("value").get(row))
    }

    @Test
    fun `the defaults are a GPT the run pretrains, LoRA off, the chat template on`() {
        val e = experiment { }.experiment
        assertNull(e.model().from())
        assertEquals(0, e.lora().rank())
        assertEquals(LoraSettings.ALL_LINEAR, e.lora().targets())
        assertTrue(e.chatTemplate())
        assertEquals(LoraSettings.defaults(), LoraBuilder().build())
    }

    @Test
    fun `a folder and a shape field in one block are refused naming the field`() {
        val path = folder()
        val m = assertThrows<UserError> { experiment { model { from(path); nLayer = 2 } } }.message!!
        assertTrue(m.contains("remove model.nLayer") && !m.contains("nHead"), m)
        val later = assertThrows<UserError> { experiment { model { from(path) }; model { dropout = 0.1 } } }.message!!
        assertTrue(later.contains("remove model.dropout"), later)
    }

    @Test
    fun `a shape block still changes only what it names`() {
        val e = experiment { model { nEmbd = 96; nHead = 3 } }.experiment
        assertEquals(96, e.model().gpt().nEmbd())
        assertEquals(Experiment.defaults().model().nLayer(), e.model().nLayer())
        assertTrue(experiment { model { nLayer = 3 } }.toString().contains("model { nLayer = 3; nHead = 2"))
    }

    @Test
    fun `bad LoRA settings are refused naming them`() {
        assertTrue(assertThrows<UserError> { lora { rank = -1 } }.message!!.contains("lora_rank"))
        assertTrue(assertThrows<UserError> { lora { targets("q_proj", "wings") } }.message!!.contains("wings"))
        // GPT-2, which the run pretrains without a folder, has no q_proj
        val gpt = assertThrows<UserError> { experiment { lora { rank = 4; targets("q_proj") } } }.message!!
        assertTrue(gpt.contains("q_proj") && gpt.contains("gpt2"), gpt)
    }

    private fun lora(block: LoraBuilder.() -> Unit): LoraSettings = LoraBuilder().apply(block).build()
}
