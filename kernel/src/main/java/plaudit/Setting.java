package plaudit;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One hyperparameter, defined once: its record component (and JSON) name, the name the DSL spells it with, the key
 * errors name it by (the papers' and TRL's, {@code kl_coef}), the command-line option, the type, the default, one
 * line of documentation and its validation. A config record declares one constant per component and a
 * {@link Settings} over them; the record's defaults and checks, the CLI options, the DSL builder, its printed form
 * and the settings table all derive from these.
 *
 * <p>Immutable: each of {@link #dsl}, {@link #key}, {@link #option}, {@link #enables} and {@link #check} returns a
 * copy, so a constant reads as one chain.
 *
 * @param <T> the boxed type of the component ({@code Integer} for {@code int})
 * @param option    the command-line option, or null
 * @param enables   the flag giving the option turns on, or null
 * @param resumeMayChange given the resumed run's settings, whether it may have another value than the run that wrote
 *                  its checkpoint ({@link #mayChangeOnResume}); by default no setting may
 */
public record Setting<T>(String name, Class<T> type, T defaultValue, String doc, String dslName, String key,
                         String option, Setting<Boolean> enables, BiPredicate<T, Map<String, Object>> valid,
                         Function<Map<String, Object>, String> expected, Predicate<Map<String, Object>> resumeMayChange) {

    /** The setting of component {@code name}, typed by its default (an {@code int} literal makes an {@code Integer}). */
    @SuppressWarnings("unchecked")
    public static <T> Setting<T> of(String name, T defaultValue, String doc) {
        return of(name, (Class<T>) defaultValue.getClass(), defaultValue, doc);
    }

    /** The setting of component {@code name} of declared type {@code type} ({@code List} for a {@code List.of(…)} default). */
    @SuppressWarnings("unchecked")
    public static <T> Setting<T> of(String name, Class<? super T> type, T defaultValue, String doc) {
        return new Setting<>(name, (Class<T>) type, defaultValue, doc, name,
                name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT), null, null, (v, all) -> true,
                all -> "", all -> false);
    }

    /**
     * The same setting (name, check, option) with another default and documentation: the same knob of another stage
     * ({@code sft}'s steps are pretraining's with a default of their own). Its key starts as this one's.
     */
    public Setting<T> withDefault(T value, String doc) {
        return new Setting<>(name, type, value, doc, dslName, key, option, enables, valid, expected, resumeMayChange);
    }

    /** The name the DSL spells it with, when it differs from the component's ({@code epochs} for {@code ppoEpochs}). */
    public Setting<T> dsl(String dslName) {
        return new Setting<>(name, type, defaultValue, doc, dslName, key, option, enables, valid, expected, resumeMayChange);
    }

    /** The key errors name it by, when it is not the component's name in snake case ({@code cliprange}). */
    public Setting<T> key(String key) {
        return new Setting<>(name, type, defaultValue, doc, dslName, key, option, enables, valid, expected, resumeMayChange);
    }

    /** Its command-line option ({@code --mini-batch}); a setting without one is not on the command line. */
    public Setting<T> option(String option) {
        return new Setting<>(name, type, defaultValue, doc, dslName, key, option, enables, valid, expected, resumeMayChange);
    }

    /**
     * Giving the option also turns {@code flag} on ({@code --adaptive-kl 6} sets the target and the adaptive
     * controller); the option then has no default of its own on the command line.
     */
    public Setting<T> enables(Setting<Boolean> flag) {
        return new Setting<>(name, type, defaultValue, doc, dslName, key, option, flag, valid, expected, resumeMayChange);
    }

    /** Valid values; {@code expected} says what they are in the error. */
    public Setting<T> check(Predicate<T> ok, String expected) {
        return check((v, all) -> ok.test(v), all -> expected);
    }

    /** Valid values given the other settings (keyed by component name); {@code expected} may name them. */
    public Setting<T> check(BiPredicate<T, Map<String, Object>> ok, Function<Map<String, Object>, String> expected) {
        return new Setting<>(name, type, defaultValue, doc, dslName, key, option, enables, ok, expected, resumeMayChange);
    }

    /**
     * A run resumed from a checkpoint may have another value of this setting than the run that wrote the checkpoint,
     * when {@code when} holds for the resumed run's settings: the value does not change what the steps already done
     * computed (how often samples are kept; the number of steps, when no schedule depends on it). By default a
     * setting must be the same, since a resumed run is meant to be the run that was interrupted. Say why at the
     * constant.
     */
    public Setting<T> mayChangeOnResume(Predicate<Map<String, Object>> when) {
        return new Setting<>(name, type, defaultValue, doc, dslName, key, option, enables, valid, expected, when);
    }

    /** Whether a resumed run with settings {@code all} may have another value of this setting than its checkpoint's. */
    public boolean mayChangeOnResume(Map<String, Object> all) {
        return resumeMayChange.test(all);
    }

    /**
     * Fails with a {@link UserError} naming this setting unless {@code value} is valid among {@code all}. A number
     * must be finite (not NaN, not ±∞, not a literal like {@code 1e400} that overflows to ∞) whatever the setting's
     * own check says: no setting gives them a meaning, and every comparison with NaN is false, so a check written as
     * {@code v -> !(v > 1)} would let NaN through.
     */
    public void validate(String what, T value, Map<String, Object> all) {
        if (!finite(value)) {
            String more = expected.apply(all);
            throw new UserError(what + ": " + key + " = " + value + " is invalid; expected a finite number"
                    + (more.isEmpty() ? "" : " " + more));
        }
        if (!valid.test(value, all)) {
            throw new UserError(what + ": " + key + " = " + value + " is invalid; expected " + expected.apply(all));
        }
    }

    private static boolean finite(Object value) {
        if (value instanceof Double d) return Double.isFinite(d);
        if (value instanceof List<?> list) return list.stream().allMatch(Setting::finite);
        return true;
    }

    /**
     * The value of an enum setting from its name in any case ({@code after} → {@code AFTER}); anything else fails
     * naming the setting and the choices.
     */
    public T parse(String text) {
        if (!type.isEnum()) throw new IllegalStateException(name + " is not a choice");
        for (T c : type.getEnumConstants()) if (text(c).equals(text.trim().toLowerCase(Locale.ROOT))) return c;
        throw new UserError(key + " '" + text + "' is unknown; use " + String.join(" or ", choices()));
    }

    /** An enum setting's choices as a user writes them. */
    public List<String> choices() {
        return type.isEnum() ? Arrays.stream(type.getEnumConstants()).map(Setting::text).toList() : List.of();
    }

    /** A value as a user writes it: {@code 3e-5}, {@code 0.05}, {@code 10000}, {@code true}, {@code after}. */
    public static String text(Object value) {
        if (value instanceof Double d && Double.isFinite(d)) {
            if (d == Math.rint(d) && Math.abs(d) < 1e7) return Long.toString((long) (double) d);
            String s = Double.toString(d);
            int e = s.indexOf('E');
            if (e < 0) return s;
            String mantissa = s.substring(0, e).replaceAll("\\.0$", "");
            return mantissa + "e" + s.substring(e + 1);
        }
        if (value instanceof Enum<?> en) return en.name().toLowerCase(Locale.ROOT);
        return String.valueOf(value);
    }

    @Override
    public String toString() {
        return name;
    }
}
