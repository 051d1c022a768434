package plaudit.model;

import ai.djl.ndarray.types.Shape;
import plaudit.Echo;
import plaudit.UserError;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The projections LoRA can adapt in one base model: every {@code nn.Linear} (Llama family) or {@code Conv1D}
 * (GPT-2) inside the decoder layers, by Hugging Face module path, with its {@code out} and {@code in} sizes. The output
 * head is never adapted (PEFT's {@code all-linear} leaves it out too).
 *
 * @param modelType   the family, {@code config.json}'s {@code model_type}
 * @param fanInFanOut whether the weights are stored {@code [in, out]} (GPT-2's Conv1D), PEFT's {@code fan_in_fan_out}
 * @param outIn       module path (e.g. {@code transformer.h.0.attn.c_attn}) → {out, in}, in module order
 */
record LoraModules(String modelType, boolean fanInFanOut, Map<String, long[]> outIn) {
    /** The adaptable projections of {@code base}, which must be a full model of a supported family. */
    static LoraModules of(CausalLm base) {
        if (base instanceof Gpt g) return of("gpt2", true, "transformer.h.", Gpt.parameterShapes(g.config()));
        if (base instanceof Llama l) return of(l.modelType(), false, "model.layers.", Llama.parameterShapes(l.config()));
        throw new IllegalArgumentException("LoRA adapts a GPT-2 or Llama-family model, not a "
                + base.getClass().getSimpleName() + " (adapters do not stack)");
    }

    private static LoraModules of(String type, boolean fanInFanOut, String layers, Map<String, Shape> shapes) {
        List<String> names = names(type);
        Map<String, long[]> outIn = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            if (!name.startsWith(layers) || !name.endsWith(".weight")) return;
            String module = name.substring(0, name.length() - ".weight".length());
            if (!names.contains(module.substring(module.lastIndexOf('.') + 1))) return;
            long[] s = shape.getShape();
            outIn.put(module, fanInFanOut ? new long[] {s[1], s[0]} : s);
        });
        return new LoraModules(type, fanInFanOut, outIn);
    }

    /** The module names a model of {@code modelType} has: what its {@code target_modules} may list. */
    static List<String> names(String modelType) {
        return modelType.equals("gpt2") ? LoraConfig.GPT2_MODULES : LoraConfig.LLAMA_MODULES;
    }

    /**
     * The projections {@code config} targets, in module order; a target this family does not have is refused naming
     * it, as PEFT refuses a target that matches no module.
     */
    Map<String, long[]> targeted(LoraConfig config) {
        List<String> names = names(modelType);
        for (String t : config.targetModules()) {
            if (!names.contains(t)) {
                throw new UserError("lora target_modules: " + Echo.quote(t) + " is not a module of a " + modelType
                        + " model; use " + String.join(", ", names));
            }
        }
        Map<String, long[]> targeted = new LinkedHashMap<>();
        outIn.forEach((module, size) -> {
            if (config.targetModules().contains(module.substring(module.lastIndexOf('.') + 1))) targeted.put(module, size);
        });
        return targeted;
    }
}
