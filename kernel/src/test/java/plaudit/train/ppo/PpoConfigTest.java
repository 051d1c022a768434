package plaudit.train.ppo;

import org.junit.jupiter.api.Test;
import plaudit.Setting;
import plaudit.UserError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PPO's settings: the defaults docs/defaults.md cites, and each validation naming its setting. */
class PpoConfigTest {

    private static <T> String error(Setting<T> s, T value) {
        return assertThrows(UserError.class, () -> PpoConfig.SETTINGS.builder().set(s, value).build()).getMessage();
    }

    @Test
    void defaultsAreThePublishedOnes() {
        PpoConfig d = PpoConfig.defaults();
        assertEquals(0.2, d.clipRange());
        assertEquals(0.1, d.vfCoef());
        assertEquals(0.95, d.lam());
        assertEquals(4, d.ppoEpochs());
        assertEquals(0.05, d.klCoef());
        assertEquals(6.0, d.targetKl());
        assertEquals(10_000.0, d.klHorizon());
        assertEquals(5e-5, d.lr());
        assertEquals(24, d.responseLength());
    }

    @Test
    void badValuesFailNamingTheSetting() {
        assertEquals("ppo config: steps = 0 is invalid; expected > 0", error(PpoConfig.STEPS, 0));
        assertEquals("ppo config: mini_batch_size = 5 is invalid; expected a divisor of batch_size 32",
                error(PpoConfig.MINI_BATCH_SIZE, 5));
        assertTrue(error(PpoConfig.AVERAGE_TAIL, 1.0).startsWith("ppo config: average_tail = 1.0 is invalid"));
        assertTrue(error(PpoConfig.CLIP_RANGE, 0.0).startsWith("ppo config: cliprange = 0.0 is invalid"));
        assertTrue(error(PpoConfig.GAMMA, 1.5).startsWith("ppo config: gamma = 1.5 is invalid"));
        assertTrue(error(PpoConfig.TEMPERATURE, 0.0).contains("temperature = 0.0 is invalid"));
    }

    @Test
    void theDslNamesAreTheDsls() {
        assertEquals("epochs", PpoConfig.PPO_EPOCHS.dslName());
        assertEquals("adaptiveKl.target", PpoConfig.TARGET_KL.dslName());
        assertEquals(PpoConfig.TARGET_KL, PpoConfig.SETTINGS.byDsl("adaptiveKl.target"));
    }

    @Test
    void valuesAreWrittenAsAUserWouldWriteThem() {
        assertEquals("3e-5", Setting.text(3e-5));
        assertEquals("0.05", Setting.text(0.05));
        assertEquals("10000", Setting.text(10_000.0));
        assertEquals("true", Setting.text(true));
    }
}
