package plaudit.cli;

import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.OptionSpec;
import plaudit.Setting;
import plaudit.Settings;
import plaudit.UserError;

import java.util.Locale;

/**
 * The command-line options of a config's settings, made from the settings themselves: a command declares
 * {@code @Mixin CommandSpec ppoOptions = ppo.spec();} and gets one option per setting that names one, with the
 * setting's documentation and its default in {@code --help}; {@link #config} reads them back into the config.
 *
 * <p>A boolean setting is a flag; a setting that {@linkplain Setting#enables() enables} another has no default of
 * its own (giving it turns the other on, as {@code --adaptive-kl 6} does); settings without an option keep their
 * defaults.
 */
final class SettingOptions<C extends Record> {
    private final Settings<C> settings;
    private final CommandSpec spec = CommandSpec.create();

    SettingOptions(Settings<C> settings) {
        this.settings = settings;
        for (Setting<?> s : settings.list()) if (s.option() != null) spec.addOption(option(s));
    }

    /** The options, as a picocli mixin. */
    CommandSpec spec() {
        return spec;
    }

    private static OptionSpec option(Setting<?> s) {
        // the value of an option that turns another setting on is this setting: --adaptive-kl=<targetKl>
        String label = s.enables() != null ? s.name() : label(s.option());
        // the description says the default, also in a command that shows the defaults of its other options
        OptionSpec.Builder b = OptionSpec.builder(s.option()).paramLabel("<" + label + ">")
                .showDefaultValue(Visibility.NEVER);
        if (s.type() == Boolean.class) {
            return b.type(boolean.class).arity("0").defaultValue(Setting.text(s.defaultValue()))
                    .description(s.doc() + ".").build();
        }
        b.type(s.type());
        if (s.type().isEnum()) b.converters(text -> parse(s, text)).completionCandidates(s.choices());
        if (s.enables() != null) return b.description(s.doc() + " (default: off).").build();
        return b.defaultValue(Setting.text(s.defaultValue())).description(s.doc() + " (default: ${DEFAULT-VALUE}).").build();
    }

    /** A choice by name; picocli reports a bad one as a usage error with the setting's message. */
    private static Object parse(Setting<?> s, String text) {
        try {
            return s.parse(text);
        } catch (UserError e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** {@code --mini-batch} → {@code miniBatch}: the label picocli gave the annotated field of the same name. */
    private static String label(String option) {
        String[] words = option.replaceFirst("^-+", "").split("-");
        StringBuilder sb = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) sb.append(words[i].substring(0, 1).toUpperCase(Locale.ROOT)).append(words[i].substring(1));
        return sb.toString();
    }

    /** The parsed options set on {@code base} (which holds whatever the command sets itself, e.g. the seed). */
    @SuppressWarnings("unchecked")
    C config(Settings.Builder<C> base) {
        for (Setting<?> s : settings.list()) {
            if (s.option() == null) continue;
            Object v = spec.findOption(s.option()).getValue();
            if (v == null) continue;
            base.set((Setting<Object>) s, v);
            if (s.enables() != null) base.set(s.enables(), true);
        }
        return base.build();
    }
}
