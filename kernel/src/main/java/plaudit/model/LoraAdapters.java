package plaudit.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.Echo;
import plaudit.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LoRA adapters (Hu et al. 2021) of a GPT-2 or Llama-family model: for each targeted projection a pair
 * {@code A [r, in]}, {@code B [out, r]}, so that the adapted projection computes
 * {@code W x + (lora_alpha / r) · B (A dropout(x))} as PEFT does. The base weights are never touched: the base model
 * itself is the reference, and one copy of its weights serves both ({@link LoraLm} is the adapted model). GPT-2 stores
 * its Conv1D weights {@code [in, out]} (PEFT's {@code fan_in_fan_out}): the update is the same, a merged weight adds
 * {@code (B A)ᵀ}. Saved and loaded in PEFT's format ({@code adapter_config.json}, {@code adapter_model.safetensors}).
 */
public final class LoraAdapters implements AutoCloseable {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    /** PEFT wraps the Hugging Face model twice: {@code PeftModel.base_model} (LoraModel) → {@code .model}. */
    private static final String PEFT_PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoraConfig config;
    private final boolean fanInFanOut;
    private final NDManager manager;
    private final double scaling;
    /** Module path (e.g. {@code model.layers.0.self_attn.q_proj}) → {A, B}. */
    private final Map<String, NDArray[]> pairs;

    private LoraAdapters(LoraConfig config, boolean fanInFanOut, NDManager manager, Map<String, NDArray[]> pairs) {
        this.config = config;
        this.fanInFanOut = fanInFanOut;
        this.manager = manager;
        this.scaling = config.scaling();
        this.pairs = pairs;
    }

    /**
     * Fresh adapters as PEFT initialises them: A kaiming-uniform with {@code a = sqrt(5)} (uniform in
     * ±1/sqrt(in), from {@code seed}), B zeros, so that the adapted model starts equal to the base. On
     * {@code base}'s device; {@code base} must be a full GPT-2 or Llama-family model.
     */
    public static LoraAdapters init(LoraConfig config, CausalLm base, long seed) {
        LoraModules modules = LoraModules.of(base);
        Map<String, long[]> targeted = modules.targeted(config);
        SplittableRandom rng = new SplittableRandom(seed);
        NDManager m = Engine.getEngine("PyTorch").newBaseManager(base.device());
        Map<String, NDArray[]> pairs = new LinkedHashMap<>();
        targeted.forEach((module, outIn) -> {
            long out = outIn[0];
            long in = outIn[1];
            float[] a = new float[Math.toIntExact(config.r() * in)];
            double bound = 1 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            pairs.put(module, new NDArray[] {m.create(a, new Shape(config.r(), in)), m.zeros(new Shape(out, config.r()))});
        });
        return new LoraAdapters(config, modules.fanInFanOut(), m, pairs);
    }

    public LoraConfig config() {
        return config;
    }

    /** Owns the adapter arrays. */
    NDManager manager() {
        return manager;
    }

    /**
     * The adapted output {@code base + scaling · (dropout(x) Aᵀ) Bᵀ} of {@code module}, or {@code base} when not
     * targeted. Dropout (PEFT's {@code lora_dropout}, on the adapter's input only) applies when {@code train}; its mask
     * comes from PyTorch's generator, as GPT-2's dropout does, so a seeded engine repeats it.
     */
    NDArray apply(String module, NDArray x, NDArray base, boolean train) {
        NDArray[] ab = pairs.get(module);
        if (ab == null) return base;
        NDArray in = train && config.loraDropout() > 0
                ? Dropout.dropout(x, (float) config.loraDropout(), true).singletonOrThrow() : x;
        NDArray low = Linear.linear(Linear.linear(in, ab[0]).singletonOrThrow(), ab[1]).singletonOrThrow();
        return base.add(Scalar.mul(low, scaling));
    }

    /** The trainable arrays under PEFT's tensor names, in module order (A then B). */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> p = new LinkedHashMap<>();
        pairs.forEach((module, ab) -> {
            p.put(PEFT_PREFIX + module + ".lora_A.weight", ab[0]);
            p.put(PEFT_PREFIX + module + ".lora_B.weight", ab[1]);
        });
        return p;
    }

    /**
     * A copy of {@code base} (Hugging Face names) with every targeted weight replaced by {@code W + scaling · B A}
     * ({@code W + scaling · (B A)ᵀ} for GPT-2's {@code [in, out]} weights), owned by {@code m}: what a merged Hugging
     * Face folder holds.
     */
    public Map<String, NDArray> merged(Map<String, NDArray> base, NDManager m) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        base.forEach((name, w) -> {
            NDArray[] ab = name.endsWith(".weight") ? pairs.get(name.substring(0, name.length() - ".weight".length())) : null;
            NDArray copy = w.duplicate();
            copy.attach(m);
            if (ab != null) {
                try (NDManager scope = m.newSubManager()) {
                    NDArray ba = ab[1].matMul(ab[0]);
                    ba.attach(scope); // before the transpose, which then lands in scope too
                    if (fanInFanOut) ba = ba.transpose();
                    copy.addi(Scalar.mul(ba, scaling));
                }
            }
            out.put(name, copy);
        });
        return out;
    }

    /** Writes {@code dir/adapter_config.json} and {@code dir/adapter_model.safetensors} as PEFT does. */
    public void save(Path dir, String baseModelNameOrPath) {
        try {
            Files.createDirectories(dir);
            ObjectNode j = JSON.createObjectNode();
            j.put("peft_type", "LORA");
            j.put("task_type", "CAUSAL_LM");
            j.put("base_model_name_or_path", baseModelNameOrPath);
            j.put("r", config.r());
            j.put("lora_alpha", config.loraAlpha());
            j.put("lora_dropout", config.loraDropout());
            j.putArray("target_modules").addAll(config.targetModules().stream().map(j::textNode).toList());
            j.put("bias", "none");
            j.put("fan_in_fan_out", fanInFanOut);
            j.put("use_rslora", false);
            j.put("inference_mode", true);
            Files.writeString(dir.resolve(CONFIG), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(j));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Safetensors.writer().metadata("format", "pt").tensors(parameters()).write(dir.resolve(WEIGHTS));
    }

    /**
     * Reads a PEFT adapter folder for {@code base} (a full GPT-2 or Llama-family model) onto its device, checking
     * every tensor's name and shape against it.
     */
    public static LoraAdapters load(Path dir, CausalLm base) {
        LoraModules layout = LoraModules.of(base);
        LoraConfig config = readConfig(dir.resolve(CONFIG), layout);
        Map<String, long[]> modules = layout.targeted(config);
        Path file = dir.resolve(WEIGHTS);
        NDManager m = Engine.getEngine("PyTorch").newBaseManager(base.device());
        try (Safetensors.Reader reader = Safetensors.open(file)) {
            Map<String, long[]> expected = new LinkedHashMap<>();
            modules.forEach((module, outIn) -> {
                expected.put(PEFT_PREFIX + module + ".lora_A.weight", new long[] {config.r(), outIn[1]});
                expected.put(PEFT_PREFIX + module + ".lora_B.weight", new long[] {outIn[0], config.r()});
            });
            List<String> unexpected = new ArrayList<>();
            for (String name : reader.names()) if (!expected.containsKey(name)) unexpected.add(name);
            if (!unexpected.isEmpty()) {
                throw new UserError(file + ": unexpected tensor '" + Echo.of(unexpected.get(0)) + "' (" + unexpected.size()
                        + " in all); use an adapter with target_modules " + config.targetModules() + " for this base");
            }
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            expected.forEach((name, shape) -> {
                if (!reader.has(name)) {
                    throw new UserError(file + ": tensor '" + Echo.of(name) + "' is missing; the adapter does not"
                            + " match adapter_config.json's target_modules " + config.targetModules());
                }
                if (!Arrays.equals(shape, reader.entry(name).shape())) {
                    throw new UserError(file + ": tensor '" + Echo.of(name) + "' is "
                            + Arrays.toString(reader.entry(name).shape()) + ", the base needs " + Arrays.toString(shape)
                            + "; load the adapter onto the base model it was trained on");
                }
                arrays.put(name, reader.readFinite(name).toNDArray(m));
            });
            Map<String, NDArray[]> pairs = new LinkedHashMap<>();
            for (String module : modules.keySet()) {
                pairs.put(module, new NDArray[] {arrays.get(PEFT_PREFIX + module + ".lora_A.weight"),
                        arrays.get(PEFT_PREFIX + module + ".lora_B.weight")});
            }
            return new LoraAdapters(config, layout.fanInFanOut(), m, pairs);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static LoraConfig readConfig(Path file, LoraModules base) {
        JsonNode j;
        try {
            j = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + Echo.of(String.valueOf(e.getMessage())) + "); point at a PEFT"
                    + " adapter folder with adapter_config.json");
        }
        if (j == null || !j.isObject()) throw new UserError(file + ": not a JSON object; expected PEFT's adapter_config.json");
        String type = j.path("peft_type").asText("LORA");
        if (!type.equals("LORA")) throw new UserError(file + ": peft_type " + Echo.quote(type) + " is not supported; use a LORA adapter");
        if (j.path("use_rslora").asBoolean(false)) {
            throw new UserError(file + ": use_rslora is not supported; save the adapter with use_rslora false");
        }
        // PEFT sets fan_in_fan_out from the base's layers (true for GPT-2's Conv1D), so another value means another base
        if (j.path("fan_in_fan_out").asBoolean(false) != base.fanInFanOut()) {
            throw new UserError(file + ": fan_in_fan_out " + j.path("fan_in_fan_out").asBoolean(false) + " is for "
                    + (base.fanInFanOut() ? "a Llama-family" : "a GPT-2") + " base, not this " + base.modelType()
                    + " one; load the adapter onto the base model it was trained on");
        }
        JsonNode targets = j.path("target_modules");
        if (!targets.isArray()) throw new UserError(file + ": target_modules must be a list of module names, e.g. [\"q_proj\", \"v_proj\"]");
        List<String> names = new ArrayList<>();
        targets.forEach(t -> names.add(t.asText()));
        try {
            return new LoraConfig(j.path("r").asInt(0), j.path("lora_alpha").asDouble(0), j.path("lora_dropout").asDouble(0), names);
        } catch (UserError e) {
            throw new UserError(file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
