package plaudit.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import plaudit.Setting;
import plaudit.Settings;

import java.util.concurrent.Callable;

/**
 * What every command that trains or steers a model declares alike (a picocli superclass of ppo, rloo, dpo, sft,
 * train-rm, steer and train-lm): where it runs and its seed ({@link RunOptions}), and one option per setting of its
 * settings record that names one, with the record's defaults.
 */
abstract class ModelCommand<C extends Record> implements Callable<Integer> {
    @Mixin
    RunOptions run;
    private final Settings<C> registry;
    private final Setting<Long> seed;
    private final SettingOptions<C> settings;
    /** One option per setting that has one (--steps, --batch, --lr, …). */
    @Mixin
    CommandSpec settingOptions;

    /** {@code seed}: the setting that --seed sets, or null where the settings have none (it seeds elsewhere). */
    ModelCommand(Settings<C> registry, Setting<Long> seed) {
        this.registry = registry;
        this.seed = seed;
        settings = new SettingOptions<>(registry);
        settingOptions = settings.spec();
    }

    /** The settings the options give (the seed from --seed where they have one). */
    public C config() {
        Settings.Builder<C> base = registry.builder();
        return settings.config(seed == null ? base : base.set(seed, run.seed()));
    }
}
