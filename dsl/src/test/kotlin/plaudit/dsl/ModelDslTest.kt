package plaudit.dsl

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import plaudit.UserError

class ModelDslTest {
    @Test
    fun `gpt block builds the Java config`() {
        val cfg = gpt { nLayer = 2; nHead = 2; nEmbd = 64; blockSize = 32; vocabSize = 300 }
        assertEquals(2, cfg.nLayer())
        assertEquals(32, cfg.headSize())
        assertEquals(300, cfg.vocabSize())
    }

    @Test
    fun `invalid shape names the key`() {
        val e = assertThrows<UserError> { gpt { nHead = 3; nEmbd = 64 } }
        assertTrue(e.message!!.contains("n_embd"), e.message)
    }

    @Test
    fun `defaults are visible`() {
        assertTrue(GptBuilder().toString().contains("nLayer = 4"))
    }
}
