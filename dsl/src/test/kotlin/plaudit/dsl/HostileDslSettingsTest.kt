package plaudit.dsl

import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import plaudit.UserError

/**
 * A script's `lr = 1e400` (∞) or a NaN `missingEosPenalty` once built an experiment; the DSL builds through the same
 * setting checks as the command line and a JSON spec, which now refuse every non-finite number, naming the setting.
 */
@Tag("adversarial")
class HostileDslSettingsTest {
    @Test
    fun `non-finite numbers are refused naming the setting`() {
        val lr = assertThrows<UserError> { experiment { ppo { lr = "1e400".toDouble() } } }.message!!
        assertTrue(lr.contains("lr = Infinity is invalid; expected a finite number"), lr)
        val penalty = assertThrows<UserError> { experiment { ppo { missingEosPenalty = Double.NaN } } }.message!!
        assertTrue(penalty.contains("missing_eos_penalty = NaN is invalid"), penalty)
        val charm = assertThrows<UserError> { experiment { syntheticForum { charm = Double.NEGATIVE_INFINITY } } }.message!!
        assertTrue(charm.contains("charm = -Infinity is invalid"), charm)
    }
}
