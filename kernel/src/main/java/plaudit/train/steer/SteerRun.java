package plaudit.train.steer;

import plaudit.Setting;
import plaudit.Settings;

import java.util.List;

/**
 * What a steering run covers beside the methods' settings ({@link SteerConfig}): which methods, and how many prompts
 * of each set. Defined once for {@code plaudit steer} and the DSL's {@code steer { }}.
 *
 * @param method     {@code soft}, {@code discrete} or {@code both} ({@link Steering.Method#parse})
 * @param maxPrompts most training and most held-out prompts
 */
public record SteerRun(String method, int maxPrompts) {

    public static final Setting<String> METHOD = Setting.of("method", "both", "soft, discrete or both")
            .check(v -> v != null && !Steering.Method.parse(v).isEmpty(), "soft, discrete or both").option("--method");
    public static final Setting<Integer> MAX_PROMPTS = Setting.of("maxPrompts", 48,
            "Most training and most held-out prompts").check(v -> v >= 1, "at least 1").option("--max-prompts");

    public static final Settings<SteerRun> SETTINGS = Settings.of(SteerRun.class, "steer");

    public SteerRun {
        SETTINGS.validate(method, maxPrompts);
    }

    /** The methods to run. */
    public List<Steering.Method> methods() {
        return Steering.Method.parse(method);
    }
}
