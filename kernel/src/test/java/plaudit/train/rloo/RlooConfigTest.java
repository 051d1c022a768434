package plaudit.train.rloo;

import org.junit.jupiter.api.Test;
import plaudit.Setting;
import plaudit.UserError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** RLOO's settings: each validation names its setting. */
class RlooConfigTest {

    private static <T> String error(Setting<T> s, T value) {
        return assertThrows(UserError.class, () -> RlooConfig.SETTINGS.builder().set(s, value).build()).getMessage();
    }

    @Test
    void badValuesFailNamingTheSetting() {
        assertEquals("rloo config: k = 1 is invalid; expected >= 2 (the leave-one-out baseline needs at least 2 "
                + "samples per prompt)", error(RlooConfig.K, 1));
        assertEquals("rloo config: mini_batch_size = 5 is invalid; expected a divisor of prompts·k = 32",
                error(RlooConfig.MINI_BATCH_SIZE, 5));
        assertEquals("rloo config: cliprange = 0.0 is invalid; expected > 0", error(RlooConfig.CLIP_RANGE, 0.0));
        assertEquals("rloo config: kl_coef = -0.1 is invalid; expected >= 0", error(RlooConfig.KL_COEF, -0.1));
    }
}
