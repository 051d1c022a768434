package plaudit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Llama-family decoder (Llama, Qwen2, Qwen3) on DJL NDArrays, as Hugging Face's {@code LlamaForCausalLM} computes it:
 * token embedding, {@code num_hidden_layers} pre-norm blocks {@code x + attn(rms(x))}, {@code x + mlp(rms(x))}, a
 * final RMSNorm and the output head ({@code lm_head}, or the embedding when {@code tie_word_embeddings}). Attention
 * uses rotary positions ({@link Rope}) and grouped-query heads; the MLP is SwiGLU. Parameters are float32 NDArrays
 * under Hugging Face names and {@code nn.Linear} layouts ({@code [out, in]}), owned by the model.
 *
 * <p>Every intermediate of a forward pass belongs to the manager of the input ids; an optional {@link KvCache} serves
 * generation.
 */
public final class Llama implements CausalLm {
    private final LlamaConfig config;
    private final Device device;
    private final NDManager manager;
    private final Rope rope;
    private final NDArray embedTokens;
    private final Layer[] layers;
    private final NDArray norm;
    private final NDArray lmHead;
    private final Map<String, NDArray> parameters;

    /** One decoder layer's parameters; biases and q/k norms are null where the family has none. */
    private record Layer(String prefix, NDArray inputNorm, NDArray q, NDArray qBias, NDArray k, NDArray kBias, NDArray v,
                         NDArray vBias, NDArray o, NDArray oBias, NDArray qNorm, NDArray kNorm, NDArray postNorm,
                         NDArray gate, NDArray gateBias, NDArray up, NDArray upBias, NDArray down, NDArray downBias) {
        static Layer of(Map<String, NDArray> p, int i) {
            String l = "model.layers." + i + ".";
            String a = l + "self_attn.";
            String m = l + "mlp.";
            return new Layer(l, p.get(l + "input_layernorm.weight"),
                    p.get(a + "q_proj.weight"), p.get(a + "q_proj.bias"), p.get(a + "k_proj.weight"),
                    p.get(a + "k_proj.bias"), p.get(a + "v_proj.weight"), p.get(a + "v_proj.bias"),
                    p.get(a + "o_proj.weight"), p.get(a + "o_proj.bias"),
                    p.get(a + "q_norm.weight"), p.get(a + "k_norm.weight"),
                    p.get(l + "post_attention_layernorm.weight"),
                    p.get(m + "gate_proj.weight"), p.get(m + "gate_proj.bias"), p.get(m + "up_proj.weight"),
                    p.get(m + "up_proj.bias"), p.get(m + "down_proj.weight"), p.get(m + "down_proj.bias"));
        }
    }

    /**
     * A model over {@code p} (the names of {@link #parameterShapes}, checked by {@link LlamaCheckpoint}): float32
     * arrays on {@code device} that {@code manager} owns and the model closes.
     */
    Llama(LlamaConfig config, Device device, NDManager manager, Map<String, NDArray> p) {
        this.config = config;
        this.device = device;
        this.manager = manager;
        this.rope = new Rope(config.headDim(), config.ropeTheta(), config.ropeScaling());
        this.embedTokens = p.get("model.embed_tokens.weight");
        this.layers = new Layer[config.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = Layer.of(p, i);
        this.norm = p.get("model.norm.weight");
        this.lmHead = config.tieWordEmbeddings() ? embedTokens : p.get("lm_head.weight");
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(p));
    }

    /**
     * A random model of {@code cfg}, initialised as Hugging Face's {@code LlamaPreTrainedModel._init_weights} does with
     * the default {@code initializer_range}: every projection and the embedding normal(0, 0.02), biases 0, norm gains
     * 1. Drawn on the heap from {@code seed}, so the weights are the same on every device for a seed.
     */
    public static Llama init(LlamaConfig cfg, Device device, long seed) {
        ModelBudget.checkFits(cfg.parameterCount(), cfg.largestTensor(), cfg.describe(), device,
                ModelBudget.WEIGHT_BYTES_PER_PARAMETER, "creating");
        SplittableRandom rng = new SplittableRandom(seed);
        NDManager manager = Engine.getEngine("PyTorch").newBaseManager(device);
        try {
            Map<String, NDArray> p = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> e : parameterShapes(cfg).entrySet()) {
                String name = e.getKey();
                float[] v = new float[Math.toIntExact(e.getValue().size())];
                if (name.endsWith("norm.weight")) Arrays.fill(v, 1f);
                else if (name.endsWith(".weight")) for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * 0.02);
                NDArray a = manager.create(v, e.getValue());
                a.setName(name);
                p.put(name, a);
            }
            return new Llama(cfg, device, manager, p);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The weights under Hugging Face names, a new map over the live arrays. */
    @Override
    public Map<String, NDArray> parameters() {
        return new LinkedHashMap<>(parameters);
    }

    @Override
    public void setTrainable(boolean on) {
        for (NDArray p : parameters.values()) p.setRequiresGradient(on);
    }

    /** Hugging Face parameter names and shapes of a model with this config, in module order. */
    public static LinkedHashMap<String, Shape> parameterShapes(LlamaConfig cfg) {
        long h = cfg.hiddenSize();
        long q = (long) cfg.numAttentionHeads() * cfg.headDim();
        long kv = (long) cfg.numKeyValueHeads() * cfg.headDim();
        long inter = cfg.intermediateSize();
        LinkedHashMap<String, Shape> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new Shape(cfg.vocabSize(), h));
        for (int i = 0; i < cfg.numHiddenLayers(); i++) {
            String l = "model.layers." + i + ".";
            String a = l + "self_attn.";
            s.put(l + "input_layernorm.weight", new Shape(h));
            linear(s, a + "q_proj", q, h, cfg.qkvBias());
            linear(s, a + "k_proj", kv, h, cfg.qkvBias());
            linear(s, a + "v_proj", kv, h, cfg.qkvBias());
            linear(s, a + "o_proj", h, q, cfg.attentionBias());
            if (cfg.qkNorm()) {
                s.put(a + "q_norm.weight", new Shape(cfg.headDim()));
                s.put(a + "k_norm.weight", new Shape(cfg.headDim()));
            }
            s.put(l + "post_attention_layernorm.weight", new Shape(h));
            linear(s, l + "mlp.gate_proj", inter, h, cfg.mlpBias());
            linear(s, l + "mlp.up_proj", inter, h, cfg.mlpBias());
            linear(s, l + "mlp.down_proj", h, inter, cfg.mlpBias());
        }
        s.put("model.norm.weight", new Shape(h));
        if (!cfg.tieWordEmbeddings()) s.put("lm_head.weight", new Shape(cfg.vocabSize(), h));
        return s;
    }

    private static void linear(Map<String, Shape> s, String name, long out, long in, boolean bias) {
        s.put(name + ".weight", new Shape(out, in));
        if (bias) s.put(name + ".bias", new Shape(out));
    }

    public LlamaConfig config() {
        return config;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public String modelType() {
        return config.modelType();
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int contextLength() {
        return config.maxPositionEmbeddings();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String contextLengthKey() {
        return "max_position_embeddings";
    }

    @Override
    public int hiddenSize() {
        return config.hiddenSize();
    }

    @Override
    public KvCache newCache(int rows, int capacity) {
        return new KvCache(manager, config.numHiddenLayers(), config.numKeyValueHeads(), config.headDim(), rows,
                capacity, contextLengthKey(), config.maxPositionEmbeddings());
    }

    /**
     * Hidden states after the final RMSNorm. Each token's RoPE position counts the real tokens before it in its row
     * (unless {@code positionIds} says otherwise), so a left-padded row computes what it would alone.
     */
    @Override
    public NDArray hidden(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache, boolean train) {
        return hidden(ids, attentionMask, positionIds, cache, train, null);
    }

    /**
     * {@link #hidden} with {@code lora}'s low-rank updates added to the projections it targets (null = none); the
     * adapters come with the call, so the model stays the unchanged base for every other caller.
     */
    NDArray hidden(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache, boolean train,
                   LoraAdapters lora) {
        Shape shape = ids.getShape();
        if (shape.dimension() != 2) throw new IllegalArgumentException("ids must be [B, T], got " + shape);
        if (!ids.getDevice().equals(device)) {
            throw new IllegalArgumentException("ids are on " + ids.getDevice() + " but the model is on " + device);
        }
        int t = Math.toIntExact(shape.get(1));
        NDManager m = ids.getManager();
        int batch = Math.toIntExact(shape.get(0));
        AttentionMask.Step step = AttentionMask.of(this, batch, t, attentionMask, positionIds, cache, m);
        NDArray[] cosSin = rope.cosSin(step.positions());
        NDArray bias = step.bias().expandDims(1); // [B or 1, 1, 1, T, S]: over kv and group
        NDArray x = Embedding.embedding(ids, embedTokens, SparseFormat.DENSE).singletonOrThrow();
        for (int i = 0; i < layers.length; i++) {
            x = layer(layers[i], x, cosSin[0], cosSin[1], bias, cache, i, lora, train, m);
        }
        if (cache != null) cache.advance(t);
        return rmsNorm(x, norm);
    }

    /** The output head: {@code lm_head}, or the token embedding when {@code tie_word_embeddings}. */
    @Override
    public NDArray logits(NDArray hidden) {
        return Linear.linear(hidden, lmHead).singletonOrThrow();
    }

    /** {@code w · x / sqrt(mean(x²) + eps)} over the last axis, in float32. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add(config.rmsNormEps()).sqrt()).mul(weight);
    }

    /** One layer in its own scope, so its intermediates are freed when it returns; only the output joins {@code m}. */
    private NDArray layer(Layer l, NDArray x, NDArray cos, NDArray sin, NDArray bias, KvCache cache, int index,
                          LoraAdapters lora, boolean train, NDManager m) {
        try (NDManager scope = m.newSubManager()) {
            x.tempAttach(scope);
            NDArray h = x.add(attention(l, rmsNorm(x, l.inputNorm), cos, sin, bias, cache, index, lora, train));
            NDArray out = h.add(mlp(l, rmsNorm(h, l.postNorm), lora, train));
            out.attach(m);
            return out;
        }
    }

    /**
     * Causal self-attention with grouped-query heads: query head {@code h} reads key/value head
     * {@code h / (num_attention_heads / num_key_value_heads)}, done by viewing the queries as
     * {@code [B, kv_heads, group, T, head_dim]} against keys {@code [B, kv_heads, 1, S, head_dim]}, S = the cached
     * positions and the new ones. {@code bias} broadcasts to the scores {@code [B, kv_heads, group, T, S]}.
     */
    private NDArray attention(Layer l, NDArray x, NDArray cos, NDArray sin, NDArray bias, KvCache cache, int index,
                              LoraAdapters lora, boolean train) {
        long batch = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int d = config.headDim();
        NDArray q = project(l, "self_attn.q_proj", x, l.q, l.qBias, lora, train).reshape(batch, t, heads, d);
        NDArray k = project(l, "self_attn.k_proj", x, l.k, l.kBias, lora, train).reshape(batch, t, kvHeads, d);
        NDArray v = project(l, "self_attn.v_proj", x, l.v, l.vBias, lora, train).reshape(batch, t, kvHeads, d);
        if (config.qkNorm()) {
            q = rmsNorm(q, l.qNorm);
            k = rmsNorm(k, l.kNorm);
        }
        q = Rope.apply(q.transpose(0, 2, 1, 3), cos, sin).reshape(batch, kvHeads, heads / kvHeads, t, d);
        k = Rope.apply(k.transpose(0, 2, 1, 3), cos, sin);                          // [B, kv, T, d]
        v = v.transpose(0, 2, 1, 3);
        if (cache != null) {
            k = cache.appendKeys(index, k);                                        // [B, kv, S, d]
            v = cache.appendValues(index, v);
        }
        k = k.expandDims(2);
        v = v.expandDims(2);
        NDArray scores = Scalar.mul(q.matMul(k.swapAxes(-1, -2)), 1.0 / Math.sqrt(d)).add(bias);
        NDArray y = scores.softmax(-1).matMul(v)                                    // [B, kv, group, T, d]
                .reshape(batch, heads, t, d).transpose(0, 2, 1, 3).reshape(batch, t, (long) heads * d);
        return project(l, "self_attn.o_proj", y, l.o, l.oBias, lora, train);
    }

    /** SwiGLU: {@code down(silu(gate(x)) · up(x))}. */
    private NDArray mlp(Layer l, NDArray x, LoraAdapters lora, boolean train) {
        NDArray gate = project(l, "mlp.gate_proj", x, l.gate, l.gateBias, lora, train);
        NDArray silu = gate.mul(Activation.sigmoid(gate));
        NDArray up = project(l, "mlp.up_proj", x, l.up, l.upBias, lora, train);
        return project(l, "mlp.down_proj", silu.mul(up), l.down, l.downBias, lora, train);
    }

    /** {@code x Wᵀ + b}, plus {@code lora}'s low-rank update of this module if it is targeted. */
    private static NDArray project(Layer l, String module, NDArray x, NDArray w, NDArray b, LoraAdapters lora,
                                   boolean train) {
        NDArray y = Linear.linear(x, w, b).singletonOrThrow();
        return lora == null ? y : lora.apply(l.prefix + module, x, y, train);
    }

    @Override
    public void close() {
        manager.close();
    }
}
