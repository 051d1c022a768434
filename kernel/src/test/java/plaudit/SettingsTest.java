package plaudit;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A config record and its settings must match component for component; values go in and out by either name. */
class SettingsTest {
    public record Two(int n, double x) {
        public static final Setting<Integer> N = Setting.of("n", 3, "A count").check(v -> v > 0, "> 0").dsl("count");
        public static final Setting<Double> X = Setting.of("x", 0.5, "A fraction")
                .check((v, all) -> v < (int) all.get("n"), all -> "< n = " + all.get("n"));
        public static final Settings<Two> SETTINGS = Settings.of(Two.class, "two");

        public Two {
            SETTINGS.validate(n, x);
        }
    }

    public record Missing(int n, double y) {
        public static final Setting<Integer> N = Setting.of("n", 3, "A count");
    }

    public record WrongType(int n) {
        public static final Setting<Double> N = Setting.of("n", 3.0, "A count");
    }

    @Test
    void defaultsBuildersAndTheDslsNames() {
        assertEquals(new Two(3, 0.5), Two.SETTINGS.defaults());
        assertEquals(new Two(4, 0.5), Two.SETTINGS.builder().set(Two.N, 4).build());
        Map<String, Object> dsl = Two.SETTINGS.dslValues(new Two(2, 1.5));
        assertEquals(Map.of("count", 2, "x", 1.5), dsl);
        dsl.put("count", 7);
        assertEquals(new Two(7, 1.5), Two.SETTINGS.fromDsl(dsl));
        assertEquals("x", Two.SETTINGS.dslNameOf("x"));
    }

    @Test
    void validationNamesTheSettingAndSeesTheOthers() {
        assertEquals("two: n = 0 is invalid; expected > 0", assertThrows(UserError.class, () -> new Two(0, 0.1)).getMessage());
        assertEquals("two: x = 2.5 is invalid; expected < n = 2", assertThrows(UserError.class, () -> new Two(2, 2.5)).getMessage());
    }

    @Test
    void aComponentWithoutItsSettingOrOfAnotherTypeFailsAtOnce() {
        assertTrue(assertThrows(IllegalStateException.class, () -> Settings.of(Missing.class, "m")).getMessage()
                .contains("Missing.y has no Setting"));
        assertTrue(assertThrows(IllegalStateException.class, () -> Settings.of(WrongType.class, "w")).getMessage()
                .contains("WrongType.n is int but its Setting holds class java.lang.Double"));
    }
}
