package plaudit.train.steer;

import org.junit.jupiter.api.Test;
import plaudit.UserError;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SteeringTest {
    private final FakeTokenizer tok = new FakeTokenizer(10);

    @Test
    void targetsThatAreEmptyOrTokenizeToNothingAreUserErrors() {
        assertTrue(assertThrows(UserError.class, () -> Steering.encodeTarget(tok, "")).getMessage().contains("empty"));
        assertTrue(assertThrows(UserError.class, () -> Steering.encodeTarget(tok, "   ")).getMessage()
                .contains("tokenizes to no tokens"));
        assertArrayEquals(new int[] {3, 4}, Steering.encodeTarget(tok, "w3 w4"));
    }

    @Test
    void methodsParse() {
        assertEquals(List.of(Steering.Method.SOFT, Steering.Method.DISCRETE), Steering.Method.parse("both"));
        assertEquals(List.of(Steering.Method.DISCRETE), Steering.Method.parse(" Discrete "));
        assertThrows(UserError.class, () -> Steering.Method.parse("magic"));
    }

    @Test
    void configRejectsNonsense() {
        assertThrows(UserError.class, () -> SteerConfig.SETTINGS.builder().set(SteerConfig.LR, Double.NaN).build());
        assertThrows(UserError.class, () -> SteerConfig.SETTINGS.builder().set(SteerConfig.SOFT_TOKENS, 0).build());
    }
}
