package plaudit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import plaudit.experiment.Experiment;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code --lr 1e400} (∞), {@code --lr Infinity} and a NaN {@code --missing-eos-penalty} once passed validation: each
 * setting's check was a comparison, and ∞ is {@code > 0} while NaN fails no {@code !(v > x)}. Every number a setting
 * holds is now refused unless finite, at the root ({@link Setting#validate}), so the command line, the DSL and a JSON
 * spec (all built through it) refuse them naming the setting. Checked here for every setting of every config, found
 * in the compiled classes: a setting added later is covered without editing this test.
 */
@Tag("adversarial")
class HostileSettingsTest {
    private static final double[] NON_FINITE = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.parseDouble("1e400")};
    /** Every public static Setting constant, by "Class.FIELD". */
    private static final Map<String, Setting<?>> SETTINGS = new LinkedHashMap<>();
    /** Every public static Settings (a config's), by "Class.FIELD". */
    private static final Map<String, Settings<?>> CONFIGS = new LinkedHashMap<>();

    /** Reads the static fields of every class compiled from kernel/src/main (no class is loaded for its own sake). */
    @BeforeAll
    static void findEverySetting() throws Exception {
        Path classes = Path.of(Setting.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(f -> f.toString().endsWith(".class")).sorted().toList();
        }
        ClassLoader loader = HostileSettingsTest.class.getClassLoader();
        for (Path f : files) {
            String name = classes.relativize(f).toString().replace(".class", "").replace('/', '.');
            Class<?> c = Class.forName(name, false, loader);
            for (Field field : c.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())) continue;
                boolean setting = field.getType() == Setting.class, settings = field.getType() == Settings.class;
                if (!setting && !settings) continue;
                field.setAccessible(true);
                String where = c.getSimpleName() + "." + field.getName();
                if (setting) SETTINGS.put(where, (Setting<?>) field.get(null));
                else CONFIGS.put(where, (Settings<?>) field.get(null));
            }
        }
    }

    /** Setting by setting: NaN, ±∞ and 1e400 are refused, the message naming the setting's key. */
    @Test
    void everyNumberSettingRefusesNonFiniteValues() {
        List<String> numbers = new ArrayList<>();
        SETTINGS.forEach((where, s) -> {
            if (s.type() != Double.class) return;
            numbers.add(s.key());
            @SuppressWarnings("unchecked") Setting<Double> d = (Setting<Double>) s;
            for (double v : NON_FINITE) {
                UserError e = assertThrows(UserError.class, () -> d.validate("config", v, Map.of()), where + " = " + v);
                assertTrue(e.getMessage().startsWith("config: " + s.key() + " = " + v + " is invalid; expected a finite number"),
                        e.getMessage());
            }
        });
        assertTrue(numbers.size() >= 30, "found only " + numbers);
        assertTrue(numbers.containsAll(List.of("lr", "missing_eos_penalty", "kl_coef", "vote_noise")), numbers.toString());
    }

    /**
     * Config by config, as the CLI, the DSL and a spec build them: each number setting (a list of numbers too) set to
     * NaN or ∞ fails building the config, naming that setting.
     */
    @Test
    void everyConfigRefusesANonFiniteNumberNamingIt() {
        int checked = 0;
        for (Map.Entry<String, Settings<?>> config : CONFIGS.entrySet()) {
            for (Setting<?> s : config.getValue().list()) {
                for (Object bad : badValues(s)) {
                    try {
                        build(config.getValue(), s, bad);
                        fail(config.getKey() + ": " + s.key() + " = " + bad + " was accepted");
                    } catch (UserError e) {
                        assertTrue(e.getMessage().contains(" " + s.key() + " = "), e.getMessage());
                        assertTrue(e.getMessage().contains("expected a finite number"), e.getMessage());
                        checked++;
                    }
                }
            }
        }
        assertTrue(CONFIGS.size() >= 8, "found only " + CONFIGS.keySet());
        assertTrue(checked >= 50, checked + " refusals");
    }

    /** Non-finite values of a number setting, or of a list of numbers; none for other settings. */
    private static List<Object> badValues(Setting<?> s) {
        List<Object> out = new ArrayList<>();
        if (s.type() == Double.class) for (double v : NON_FINITE) out.add(v);
        if (s.type() == List.class && s.defaultValue() instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Double) {
            List<Object> withNan = new ArrayList<>(l);
            withNan.set(0, Double.NaN);
            out.add(withNan);
        }
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void build(Settings settings, Setting s, Object value) {
        settings.builder().set(s, value).build();
    }

    /** A JSON spec (the worker's, {@code plaudit experiment --spec}) reaches the same check: 1e400 parses to ∞. */
    @Test
    void aJsonSpecRefusesThemNamingTheSetting() {
        for (String spec : List.of("{\"ppo\": {\"lr\": 1e400}}", "{\"ppo\": {\"missingEosPenalty\": \"NaN\"}}",
                "{\"sft\": {\"lr\": -1e999}}")) {
            UserError e = assertThrows(UserError.class, () -> Experiment.fromJson(spec), spec);
            assertTrue(e.getMessage().matches(".*(lr|missing_eos_penalty) = (Infinity|NaN|-Infinity) is invalid; "
                    + "expected a finite number.*"), e.getMessage());
        }
    }

    /** Finite values are untouched by the new rule: every config still builds from its defaults. */
    @Test
    void everyConfigStillBuildsFromItsDefaults() {
        CONFIGS.forEach((where, s) -> assertDoesNotThrow(s::defaults, where));
    }
}
