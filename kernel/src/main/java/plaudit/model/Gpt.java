package plaudit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import plaudit.UserError;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GPT-2 decoder (Radford et al. 2019) on DJL NDArrays: learned token and position embeddings, {@code n_layer} pre-LN
 * blocks {@code x + attn(ln_1(x))}, {@code x + mlp(ln_2(x))}, a final LayerNorm and an output layer tied to the token
 * embedding. Parameters are plain NDArrays under Hugging Face GPT-2 names and layouts (Conv1D weights are
 * {@code [in, out]}: {@code y = x·W + b}), owned by {@link #manager()}.
 *
 * <p>Memory: every intermediate of a call belongs to the manager of its input {@code ids} (open a sub-manager per
 * step and close it); nothing is added to the parameter manager by a forward pass.
 */
public final class Gpt implements CausalLm {

    private static final float LN_EPS = 1e-5f;

    private final GptConfig config;
    private final Device device;
    private final NDManager manager;
    private final LinkedHashMap<String, NDArray> params;
    private final NDArray wte;
    private final NDArray wpe;
    private final Block[] blocks;
    private final NDArray lnFWeight;
    private final NDArray lnFBias;

    /** One transformer block's parameters (views into {@link #params}); {@code prefix} names its modules. */
    private record Block(String prefix, NDArray ln1Weight, NDArray ln1Bias, NDArray cAttnWeight, NDArray cAttnBias,
                         NDArray attnProjWeight, NDArray attnProjBias, NDArray ln2Weight, NDArray ln2Bias,
                         NDArray cFcWeight, NDArray cFcBias, NDArray mlpProjWeight, NDArray mlpProjBias) {
        static Block of(Map<String, NDArray> p, int i) {
            String h = "transformer.h." + i + ".";
            return new Block(h, p.get(h + "ln_1.weight"), p.get(h + "ln_1.bias"),
                    p.get(h + "attn.c_attn.weight"), p.get(h + "attn.c_attn.bias"),
                    p.get(h + "attn.c_proj.weight"), p.get(h + "attn.c_proj.bias"),
                    p.get(h + "ln_2.weight"), p.get(h + "ln_2.bias"),
                    p.get(h + "mlp.c_fc.weight"), p.get(h + "mlp.c_fc.bias"),
                    p.get(h + "mlp.c_proj.weight"), p.get(h + "mlp.c_proj.bias"));
        }
    }

    private Gpt(GptConfig config, Device device, NDManager manager, LinkedHashMap<String, NDArray> params) {
        this.config = config;
        this.device = device;
        this.manager = manager;
        this.params = params;
        this.wte = params.get("transformer.wte.weight");
        this.wpe = params.get("transformer.wpe.weight");
        this.blocks = new Block[config.nLayer()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = Block.of(params, i);
        this.lnFWeight = params.get("transformer.ln_f.weight");
        this.lnFBias = params.get("transformer.ln_f.bias");
    }

    /** Hugging Face GPT-2 parameter names and shapes, in Hugging Face order (lm_head is tied to wte and not listed). */
    public static LinkedHashMap<String, Shape> parameterShapes(GptConfig cfg) {
        long c = cfg.nEmbd();
        LinkedHashMap<String, Shape> s = new LinkedHashMap<>();
        s.put("transformer.wte.weight", new Shape(cfg.vocabSize(), c));
        s.put("transformer.wpe.weight", new Shape(cfg.blockSize(), c));
        for (int i = 0; i < cfg.nLayer(); i++) {
            String h = "transformer.h." + i + ".";
            s.put(h + "ln_1.weight", new Shape(c));
            s.put(h + "ln_1.bias", new Shape(c));
            s.put(h + "attn.c_attn.weight", new Shape(c, 3 * c));
            s.put(h + "attn.c_attn.bias", new Shape(3 * c));
            s.put(h + "attn.c_proj.weight", new Shape(c, c));
            s.put(h + "attn.c_proj.bias", new Shape(c));
            s.put(h + "ln_2.weight", new Shape(c));
            s.put(h + "ln_2.bias", new Shape(c));
            s.put(h + "mlp.c_fc.weight", new Shape(c, 4 * c));
            s.put(h + "mlp.c_fc.bias", new Shape(4 * c));
            s.put(h + "mlp.c_proj.weight", new Shape(4 * c, c));
            s.put(h + "mlp.c_proj.bias", new Shape(c));
        }
        s.put("transformer.ln_f.weight", new Shape(c));
        s.put("transformer.ln_f.bias", new Shape(c));
        return s;
    }

    /**
     * GPT-2 initialisation: weights N(0, 0.02), residual projections ({@code c_proj}) N(0, 0.02/sqrt(2·n_layer)),
     * biases 0, LayerNorm gain 1 and shift 0. Values are drawn in Java from one seeded stream in parameter order, so a
     * seed gives the same model on every device. A model too large to train on {@code device} is refused first.
     */
    public static Gpt init(GptConfig cfg, Device device, long seed) {
        ModelBudget.checkFits(cfg, device, ModelBudget.TRAINING_BYTES_PER_PARAMETER, "training");
        SplittableRandom rng = new SplittableRandom(seed);
        double projStd = 0.02 / Math.sqrt(2.0 * cfg.nLayer());
        NDManager manager = newManager(device);
        LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : parameterShapes(cfg).entrySet()) {
            String name = e.getKey();
            float[] v = new float[Math.toIntExact(e.getValue().size())];
            if (name.contains(".ln_")) {
                if (name.endsWith(".weight")) Arrays.fill(v, 1f);
            } else if (name.endsWith(".weight")) {
                double std = name.endsWith("c_proj.weight") ? projStd : 0.02;
                for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
            }
            NDArray a = manager.create(v, e.getValue());
            a.setName(name);
            p.put(name, a);
        }
        return new Gpt(cfg, device, manager, p);
    }

    /**
     * A model holding copies of {@code params} (Hugging Face names and shapes, any floating type; stored as float32 on
     * {@code device}). The caller keeps ownership of the given arrays.
     */
    public static Gpt fromParameters(GptConfig cfg, Map<String, NDArray> params, Device device) {
        LinkedHashMap<String, Shape> expected = parameterShapes(cfg);
        String forCfg = " for n_layer=" + cfg.nLayer() + ", n_embd=" + cfg.nEmbd() + ", block_size=" + cfg.blockSize()
                + ", vocab_size=" + cfg.vocabSize();
        for (String key : params.keySet()) {
            if (!expected.containsKey(key)) {
                throw new UserError("model parameters: unexpected key '" + key + "'; a GPT-2 model" + forCfg
                        + " has only the " + expected.size() + " Hugging Face names (transformer.wte.weight, ...)");
            }
        }
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            NDArray a = params.get(e.getKey());
            if (a == null) {
                throw new UserError("model parameters: missing key '" + e.getKey() + "' (shape " + e.getValue()
                        + forCfg + "); the checkpoint is incomplete or was written for another model");
            }
            if (!a.getShape().equals(e.getValue())) {
                throw new UserError("model parameters: '" + e.getKey() + "' has shape " + a.getShape() + " but "
                        + e.getValue() + " is needed" + forCfg + "; check the model config against the checkpoint");
            }
            if (!a.getDataType().isFloating()) {
                throw new UserError("model parameters: '" + e.getKey() + "' has type " + a.getDataType()
                        + "; expected a floating-point array");
            }
        }
        NDManager manager = newManager(device);
        LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            NDArray copy = params.get(name).duplicate(); // duplicate: never alias the caller's storage
            copy.attach(manager);
            if (!copy.getDevice().equals(device)) copy = replace(copy, copy.toDevice(device, false));
            if (copy.getDataType() != DataType.FLOAT32) copy = replace(copy, copy.toType(DataType.FLOAT32, false));
            copy.setName(name);
            p.put(name, copy);
        }
        return new Gpt(cfg, device, manager, p);
    }

    private static NDArray replace(NDArray old, NDArray fresh) {
        old.close();
        return fresh;
    }

    private static NDManager newManager(Device device) {
        return Engine.getEngine("PyTorch").newBaseManager(device);
    }

    public GptConfig config() {
        return config;
    }

    @Override
    public String modelType() {
        return "gpt2";
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int contextLength() {
        return config.blockSize();
    }

    @Override
    public String contextLengthKey() {
        return "block_size";
    }

    @Override
    public int hiddenSize() {
        return config.nEmbd();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public KvCache newCache(int rows, int capacity) {
        return new KvCache(manager, config.nLayer(), config.nHead(), config.headSize(), rows, capacity, contextLengthKey(),
                config.blockSize());
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    /** The parameters under Hugging Face GPT-2 names, in Hugging Face order (a new map over the live arrays). */
    @Override
    public LinkedHashMap<String, NDArray> parameters() {
        return new LinkedHashMap<>(params);
    }

    @Override
    public void setTrainable(boolean on) {
        for (NDArray p : params.values()) p.setRequiresGradient(on);
    }

    /** Final hidden states after ln_f, {@code [B, T, C]}. */
    @Override
    public NDArray hidden(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache, boolean train) {
        return hidden(ids, attentionMask, positionIds, cache, train, null);
    }

    /** {@link #hidden} with {@code lora}'s low-rank updates added to the projections it targets (null = none). */
    NDArray hidden(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache, boolean train,
                   LoraAdapters lora) {
        Shape shape = ids.getShape();
        if (shape.dimension() != 2) throw new IllegalArgumentException("ids must be [B, T], got " + shape);
        if (!ids.getDevice().equals(device)) {
            throw new IllegalArgumentException("ids are on " + ids.getDevice() + " but the model is on " + device);
        }
        return hiddenFromEmbeddings(embedTokens(ids), attentionMask, positionIds, cache, train, lora);
    }

    /** Token embeddings {@code wte[ids]}, {@code [B, T, C]}, owned by the manager of {@code ids}. */
    public NDArray embedTokens(NDArray ids) {
        return embed(ids, wte);
    }

    /**
     * {@link #hidden} from input embeddings {@code [B, T, C]} instead of token ids: the entry point for inputs that
     * are not tokens, such as a trained soft prompt or one-hot token weights (Lester et al. 2021; Zou et al. 2023).
     * Position embeddings are added here, as for ids; {@code embeddings}' manager receives every intermediate.
     */
    public NDArray hiddenFromEmbeddings(NDArray embeddings, NDArray attentionMask, NDArray positionIds, KvCache cache,
                                        boolean train) {
        return hiddenFromEmbeddings(embeddings, attentionMask, positionIds, cache, train, null);
    }

    private NDArray hiddenFromEmbeddings(NDArray embeddings, NDArray attentionMask, NDArray positionIds, KvCache cache,
                                         boolean train, LoraAdapters lora) {
        Shape shape = embeddings.getShape();
        if (shape.dimension() != 3 || shape.get(2) != config.nEmbd()) {
            throw new IllegalArgumentException("embeddings must be [B, T, " + config.nEmbd() + "], got " + shape);
        }
        if (!embeddings.getDevice().equals(device)) {
            throw new IllegalArgumentException("inputs are on " + embeddings.getDevice() + " but the model is on " + device);
        }
        int t = Math.toIntExact(shape.get(1));
        NDManager m = embeddings.getManager();
        int batch = Math.toIntExact(shape.get(0));
        AttentionMask.Step step = AttentionMask.of(this, batch, t, attentionMask, positionIds, cache, m);
        NDArray x = dropout(embeddings.add(embed(step.positions(), wpe)), train);
        NDArray bias = step.bias();
        for (int i = 0; i < blocks.length; i++) x = block(blocks[i], x, bias, cache, i, train, lora, m);
        if (cache != null) cache.advance(t);
        return layerNorm(x, lnFWeight, lnFBias);
    }

    /** The output layer is tied to the token embedding. */
    @Override
    public NDArray logits(NDArray hidden) {
        return Linear.linear(hidden, wte).singletonOrThrow(); // hidden · wteᵀ, owned by hidden's manager
    }

    // ---- the pieces, in the order a token meets them ----

    private static NDArray embed(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return LayerNorm.layerNorm(x, weight.getShape(), weight, bias, LN_EPS).singletonOrThrow();
    }

    /**
     * One block, {@code x + attn(ln_1(x))} then {@code + mlp(ln_2(·))}, in its own scope: its intermediates are
     * released when it is done, as PyTorch eager frees them (autograd keeps what backward needs), instead of living
     * until the caller's step scope closes. Without this a forward holds every block's temporaries at once (for
     * its effect on peak memory see docs/benchmarks.md). Only the output joins {@code m}.
     */
    private NDArray block(Block b, NDArray x, NDArray bias, KvCache cache, int layer, boolean train, LoraAdapters lora,
                          NDManager m) {
        try (NDManager scope = m.newSubManager()) {
            x.tempAttach(scope); // ops take the receiver's manager: x's descendants land in scope; x returns to m
            NDArray h = x.add(attention(b, layerNorm(x, b.ln1Weight, b.ln1Bias), bias, cache, layer, train, lora));
            NDArray out = h.add(mlp(b, layerNorm(h, b.ln2Weight, b.ln2Bias), train, lora));
            out.attach(m);
            return out;
        }
    }

    /** Causal self-attention with the fused q,k,v projection; with a cache, keys and values of the past are reused. */
    private NDArray attention(Block b, NDArray x, NDArray bias, KvCache cache, int layer, boolean train,
                              LoraAdapters lora) {
        Shape s = x.getShape();
        long batch = s.get(0);
        long t = s.get(1);
        int nHead = config.nHead();
        int headSize = config.headSize();
        NDArray qkv = conv1d(b, "attn.c_attn", x, b.cAttnWeight, b.cAttnBias, train, lora); // [B, T, 3C]
        NDArray heads = qkv.reshape(batch, t, 3, nHead, headSize).transpose(2, 0, 3, 1, 4); // [3, B, nh, T, hs]
        NDArray q = Scalar.mul(heads.get(0), 1.0 / Math.sqrt(headSize));
        NDArray k = heads.get(1);
        NDArray v = heads.get(2);
        if (cache != null) {
            k = cache.appendKeys(layer, k);   // [B, nh, past+T, hs]
            v = cache.appendValues(layer, v);
        }
        NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).add(bias).softmax(-1);        // [B, nh, T, past+T]
        att = dropout(att, train);
        NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(batch, t, config.nEmbd()); // re-join the heads
        return dropout(conv1d(b, "attn.c_proj", y, b.attnProjWeight, b.attnProjBias, train, lora), train);
    }

    private NDArray mlp(Block b, NDArray x, boolean train, LoraAdapters lora) {
        NDArray h = TanhGelu.apply(conv1d(b, "mlp.c_fc", x, b.cFcWeight, b.cFcBias, train, lora));
        return dropout(conv1d(b, "mlp.c_proj", h, b.mlpProjWeight, b.mlpProjBias, train, lora), train);
    }

    /** GPT-2's Conv1D {@code x·W + b} ({@code W [in, out]}), plus {@code lora}'s update of this module if targeted. */
    private static NDArray conv1d(Block b, String module, NDArray x, NDArray w, NDArray bias, boolean train,
                                  LoraAdapters lora) {
        NDArray y = x.matMul(w).add(bias);
        return lora == null ? y : lora.apply(b.prefix + module, x, y, train);
    }

    private NDArray dropout(NDArray x, boolean train) {
        if (!train || config.dropout() == 0) return x;
        return Dropout.dropout(x, (float) config.dropout(), true).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
