package plaudit.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import plaudit.model.CausalLm;
import plaudit.model.LoraSettings;

/**
 * {@code --lora-rank R --lora-alpha A --lora-dropout P --lora-targets q_proj,v_proj}: LoRA for a command that trains
 * a model (a picocli mixin, {@code @Mixin LoraOptions lora;}), one option per {@link LoraSettings} setting with its
 * default and documentation. Off unless {@code --lora-rank} is given.
 */
public final class LoraOptions {
    private final SettingOptions<LoraSettings> options = new SettingOptions<>(LoraSettings.SETTINGS);
    @Mixin
    CommandSpec spec = options.spec();

    /** The settings the options give. */
    public LoraSettings settings() {
        return options.config(LoraSettings.SETTINGS.builder());
    }

    /**
     * {@code base} unchanged when {@code --lora-rank} is 0 (the default), else a LoRA view on it with fresh adapters
     * drawn from {@code seed}; a target the base's family does not have ({@code q_proj} on GPT-2) is refused naming
     * it. The caller closes the view, then the base.
     */
    public CausalLm wrap(CausalLm base, long seed) {
        return settings().apply(base, seed);
    }
}
