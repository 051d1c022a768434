package plaudit.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import plaudit.FileTrees;
import plaudit.model.CausalLm;
import plaudit.model.LoraLm;
import plaudit.model.LoraSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * {@code --lora-rank R --lora-alpha A --lora-dropout P --lora-targets q_proj,v_proj}: LoRA for a command that trains
 * a model (a picocli mixin, {@code @Mixin LoraOptions lora;}), one option per {@link LoraSettings} setting with its
 * default and documentation. Off unless {@code --lora-rank} is given.
 */
public final class LoraOptions {
    /** The PEFT adapter folder a LoRA run writes next to its merged {@code OUT/checkpoint}. */
    static final String ADAPTER = "adapter";

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

    /**
     * The policy that trains against the frozen reference {@code ref}: with LoRA a view on {@code ref} itself (the
     * reference is the base with the adapters off, so one copy of the weights serves both), else a second full copy
     * from {@code copy}. The caller closes the policy, then {@code ref}.
     */
    CausalLm policyOn(CausalLm ref, Supplier<CausalLm> copy, long seed) {
        return settings().enabled() ? wrap(ref, seed) : copy.get();
    }

    /**
     * After a run has written {@code out/checkpoint} (the merged Hugging Face folder): a LoRA model's adapters as the
     * PEFT folder {@code out/adapter}, whose {@code base_model_name_or_path} is {@code baseDir}, the folder the run
     * started from. A run without LoRA removes an adapter folder an earlier run left in {@code out}: it would
     * describe another model than the checkpoint beside it.
     */
    static void writeAdapter(CausalLm model, Path out, Path baseDir) {
        removeAdapter(out);
        if (model instanceof LoraLm lora) lora.save(out.resolve(ADAPTER), baseDir.toAbsolutePath().normalize().toString());
    }

    /** Removes {@code out/adapter}, if any: before a new checkpoint replaces the one it belongs to. */
    static void removeAdapter(Path out) {
        try {
            FileTrees.delete(out.resolve(ADAPTER));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
