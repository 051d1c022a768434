package plaudit.model;

import plaudit.Echo;
import plaudit.UserError;

import java.util.List;
import java.util.Set;

/**
 * Low-rank adaptation settings as PEFT names them: rank {@code r}, {@code lora_alpha} (the update is scaled by
 * {@code lora_alpha / r}), {@code lora_dropout} and {@code target_modules} by module name.
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, List<String> targetModules) {
    /** Llama-family projections (Hugging Face names). */
    public static final List<String> LLAMA_MODULES =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    /**
     * GPT-2's Conv1D projections. As PEFT matches a target against the end of the module path, {@code c_proj} adapts
     * both {@code attn.c_proj} and {@code mlp.c_proj}.
     */
    public static final List<String> GPT2_MODULES = List.of("c_attn", "c_proj", "c_fc");

    public LoraConfig {
        if (r <= 0) throw new UserError("lora r: " + r + " is not a rank; use a positive integer such as 8");
        if (!(loraAlpha > 0) || !Double.isFinite(loraAlpha)) {
            throw new UserError("lora_alpha: " + loraAlpha + " must be a positive number, e.g. 2 × r");
        }
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new UserError("lora_dropout: " + loraDropout + " must be in [0, 1)");
        }
        if (targetModules == null || targetModules.isEmpty()) {
            throw new UserError("lora target_modules: empty; name at least one, e.g. q_proj, v_proj");
        }
        targetModules = List.copyOf(targetModules);
        if (Set.copyOf(targetModules).size() != targetModules.size()) {
            throw new UserError("lora target_modules: " + targetModules + " names a module twice; list each once");
        }
        for (String t : targetModules) {
            if (!LLAMA_MODULES.contains(t) && !GPT2_MODULES.contains(t)) {
                throw new UserError("lora target_modules: unknown module " + Echo.quote(t) + "; use " + LLAMA_MODULES
                        + " (Llama, Qwen) or " + GPT2_MODULES + " (GPT-2)");
            }
        }
    }

    /** {@code lora_alpha / r}, the factor of the low-rank update. */
    public double scaling() {
        return loraAlpha / r;
    }
}
