package plaudit.dsl

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import plaudit.UserError
import plaudit.train.DpoTrainer
import plaudit.train.rloo.RlooConfig

class MethodsDslTest {
    @Test
    fun `dpo and rloo blocks change only what they name and print their defaults`() {
        val dpo = DpoBuilder().apply { beta = 0.3 }.build()
        assertEquals(0.3, dpo.beta())
        assertEquals(DpoTrainer.Config.defaults().steps(), dpo.steps())
        assertTrue(DpoBuilder().toString().contains("beta = 0.1"), DpoBuilder().toString())
        val rloo = RlooBuilder().apply { k = 2; steps = 7 }.build()
        assertEquals(2, rloo.k())
        assertEquals(7, rloo.steps())
        assertEquals(RlooConfig.defaults().klCoef(), rloo.klCoef())
        assertTrue(RlooBuilder().toString().contains("k = 4"), RlooBuilder().toString())
    }

    @Test
    fun `bad settings fail with the key named`() {
        val e = assertThrows<UserError> { RlooBuilder().apply { k = 1 }.build() }
        assertTrue(e.message!!.contains("k = 1"), e.message)
        assertThrows<UserError> { methods("/tmp/never", scale = "huge") }
    }
}
