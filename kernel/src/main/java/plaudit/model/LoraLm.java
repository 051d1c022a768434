package plaudit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.Map;

/**
 * A base model with LoRA adapters, seen as one {@link CausalLm}: the forward pass runs the base with the adapters'
 * low-rank updates added to the projections they target; training updates only the adapters. The base is shared,
 * not copied, and never changed: it stays a usable model of its own, so with LoRA the reference of PPO, DPO and RLOO
 * is simply {@link #base()}, and a second view with adapters of its own (a value model, a reward trunk) can sit on
 * the same base. One copy of the base weights serves them all.
 *
 * <p>Ownership: the view owns its adapters and closes them; the base belongs to whoever opened it, who closes it
 * after every view on it. Creating a view freezes the base (no gradients for its weights: the memory LoRA saves).
 */
public final class LoraLm implements CausalLm {
    private final CausalLm base;
    private final LoraAdapters adapters;

    private LoraLm(CausalLm base, LoraAdapters adapters) {
        this.base = base;
        this.adapters = adapters;
        base.setTrainable(false);
    }

    /**
     * Fresh adapters on {@code base} (a full GPT-2 or Llama-family model) as PEFT initialises them (B = 0: the view
     * starts equal to the base), A drawn from {@code seed}. A target the family does not have is refused naming it.
     */
    public static LoraLm init(CausalLm base, LoraConfig config, long seed) {
        return new LoraLm(base, LoraAdapters.init(config, base, seed));
    }

    /** The PEFT adapter folder {@code dir} ({@link #save}, or PEFT's {@code save_pretrained}) on {@code base}. */
    public static LoraLm load(CausalLm base, Path dir) {
        return new LoraLm(base, LoraAdapters.load(dir, base));
    }

    /**
     * Writes the adapters as a PEFT adapter folder ({@code adapter_config.json}, {@code adapter_model.safetensors})
     * that PEFT's {@code PeftModel.from_pretrained(base, dir)} loads; {@code baseModelNameOrPath} is recorded as the
     * base it belongs to.
     */
    public void save(Path dir, String baseModelNameOrPath) {
        adapters.save(dir, baseModelNameOrPath);
    }

    public LoraConfig config() {
        return adapters.config();
    }

    /** The base model, unchanged by the adapters: LoRA training's reference. */
    @Override
    public CausalLm base() {
        return base;
    }

    /** The adapter tensors only, under PEFT's names ({@code base_model.model.<module>.lora_A.weight}, …). */
    @Override
    public Map<String, NDArray> parameters() {
        return adapters.parameters();
    }

    /** The base's weights with the adapters merged in, new arrays owned by {@code m}: a merged Hugging Face folder. */
    @Override
    public Map<String, NDArray> weights(NDManager m) {
        return adapters.merged(base.weights(m), m);
    }

    /** Gradients for the adapters only; the base stays frozen whatever {@code on} is. */
    @Override
    public void setTrainable(boolean on) {
        for (NDArray p : adapters.parameters().values()) p.setRequiresGradient(on);
    }

    @Override
    public NDArray hidden(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache, boolean train) {
        if (base instanceof Gpt g) return g.hidden(ids, attentionMask, positionIds, cache, train, adapters);
        return ((Llama) base).hidden(ids, attentionMask, positionIds, cache, train, adapters);
    }

    /** The base's output head: LoRA adapts projections inside the layers, never the head. */
    @Override
    public NDArray logits(NDArray hidden) {
        return base.logits(hidden);
    }

    @Override
    public KvCache newCache(int rows, int capacity) {
        return base.newCache(rows, capacity);
    }

    /** Owns the adapters (what this view trains); per-step sub-managers of it live on the base's device. */
    @Override
    public NDManager manager() {
        return adapters.manager();
    }

    @Override
    public String modelType() {
        return base.modelType();
    }

    @Override
    public int vocabSize() {
        return base.vocabSize();
    }

    @Override
    public int contextLength() {
        return base.contextLength();
    }

    @Override
    public String contextLengthKey() {
        return base.contextLengthKey();
    }

    @Override
    public int hiddenSize() {
        return base.hiddenSize();
    }

    @Override
    public Device device() {
        return base.device();
    }

    /** Closes the adapters; the base stays open (its owner closes it). */
    @Override
    public void close() {
        adapters.close();
    }
}
