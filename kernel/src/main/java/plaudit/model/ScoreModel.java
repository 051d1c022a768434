package plaudit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import plaudit.UserError;
import plaudit.text.Tokenizer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A language-model trunk of any family with a scalar head: {@code score_t = h_t · w + b} for every position's final hidden state. The reward
 * model reads one score per sequence through its {@link Readout} (by default at the last real token of prompt +
 * response); PPO's value function reads it at every response position. The head's parameters are
 * {@code score.weight [1, C]} and {@code score.bias [1]} (the Hugging Face {@code *ForSequenceClassification} name,
 * plus a bias so that a reward can be re-centred exactly), C the trunk's {@link CausalLm#hiddenSize()}.
 */
public final class ScoreModel implements AutoCloseable {
    public static final String HEAD_WEIGHT = "score.weight";
    public static final String HEAD_BIAS = "score.bias";
    /** Name of the head's tensor file in a checkpoint ({@code score_head.safetensors}). */
    public static final String HEAD_FILE = "score_head";

    /**
     * How a reward model turns the per-position scores of one sequence into its score.
     * <ul>
     * <li>{@code LAST}: the score at the last real token (Stiennon et al., InstructGPT, HF's
     * {@code GPT2ForSequenceClassification}); the trunk has to gather the whole reply into one position.</li>
     * <li>{@code MEAN}: the mean of the scores at every position up to the last real token, i.e. the head on the mean
     * hidden state. What a reply has more or less of (topic words, helpful phrases) becomes linear in the
     * hidden states; on the synthetic forum a small reward model ranks SFT's samples by gold markedly better this way
     * (docs/evidence.md, "What bounds it"). Prompt positions add the same amount to every reply to one prompt, so they change
     * no comparison.</li>
     * </ul>
     */
    public enum Readout {
        LAST, MEAN;

        /** {@code last} or {@code mean}, any case; anything else fails naming both. */
        public static Readout parse(String s) {
            for (Readout r : values()) if (r.name().equalsIgnoreCase(s)) return r;
            throw new UserError("reward-model readout '" + s + "' is unknown; use last or mean");
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final CausalLm trunk;
    private final NDArray weight;
    private final NDArray bias;
    private final Readout readout;
    /** False for a head on another component's trunk ({@link #zeroHeadOn}): closing leaves the trunk open. */
    private final boolean ownsTrunk;

    private ScoreModel(CausalLm trunk, NDArray weight, NDArray bias, Readout readout, boolean ownsTrunk) {
        this.trunk = trunk;
        this.weight = weight;
        this.bias = bias;
        this.readout = readout;
        this.ownsTrunk = ownsTrunk;
    }

    /** {@link #withNewHead(CausalLm, long, Readout)} read at the last token. */
    public static ScoreModel withNewHead(CausalLm trunk, long seed) {
        return withNewHead(trunk, seed, Readout.LAST);
    }

    /** A new head on {@code trunk} (taken over: closing this closes it), N(0, 1/(C+1)) as in Stiennon et al.'s RM. */
    public static ScoreModel withNewHead(CausalLm trunk, long seed, Readout readout) {
        int c = trunk.hiddenSize();
        SplittableRandom rng = new SplittableRandom(seed);
        float[] w = new float[c];
        double std = 1 / Math.sqrt(c + 1.0);
        for (int i = 0; i < c; i++) w[i] = (float) (rng.nextGaussian() * std);
        NDManager m = trunk.manager();
        return new ScoreModel(trunk, m.create(w, new Shape(1, c)), m.zeros(new Shape(1), DataType.FLOAT32), readout,
                true);
    }

    /** Restores a head saved by {@link #headParameters()}, with the given readout. */
    public static ScoreModel withHead(CausalLm trunk, Map<String, NDArray> head, Readout readout) {
        NDArray w = head.get(HEAD_WEIGHT), b = head.get(HEAD_BIAS);
        int c = trunk.hiddenSize();
        if (w == null || b == null || !w.getShape().equals(new Shape(1, c)) || !b.getShape().equals(new Shape(1))) {
            throw new UserError("score head: expected tensors " + HEAD_WEIGHT + " [1, " + c + "] and "
                    + HEAD_BIAS + " [1], got " + head.keySet() + "; the head file belongs to another model");
        }
        NDManager m = trunk.manager();
        NDArray wc = m.create(w.toFloatArray(), w.getShape());
        NDArray bc = m.create(b.toFloatArray(), b.getShape());
        return new ScoreModel(trunk, wc, bc, readout, true);
    }

    /**
     * A zero-initialised head on a trunk this model does not own (PPO's shared-trunk value function on the policy):
     * it starts by predicting 0 everywhere, and, as {@code ∂score/∂h = w = 0}, its first value-loss gradients leave
     * the shared trunk untouched. Closing this model leaves the trunk open.
     */
    public static ScoreModel zeroHeadOn(CausalLm trunk) {
        NDManager m = trunk.manager();
        int c = trunk.hiddenSize();
        return new ScoreModel(trunk, m.zeros(new Shape(1, c), DataType.FLOAT32), m.zeros(new Shape(1), DataType.FLOAT32),
                Readout.LAST, false);
    }

    /**
     * A reward model saved with {@link #save}: trunk from the checkpoint's weights, head from {@code score_head}, readout
     * from {@code score_head.json} (a checkpoint without one, written before readouts existed, reads the last token).
     */
    public static ScoreModel load(Path dir, Device device) {
        FolderState state = FolderState.read(dir);
        if (!state.tensorNames().contains(HEAD_FILE)) {
            throw new UserError(dir + " has no " + HEAD_FILE + ".safetensors: it is a language model, "
                    + "not a reward model; pass the output of `plaudit train-rm`");
        }
        Readout readout = state.jsonNames().contains(HEAD_FILE)
                ? Readout.parse(state.json(HEAD_FILE).path("readout").asText("last")) : Readout.LAST;
        try (NDManager staging = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, NDArray> head = state.tensors(HEAD_FILE, staging);
            CausalLm trunk = ModelFolder.open(dir, device);
            try {
                return withHead(trunk, head, readout);
            } catch (RuntimeException e) {
                trunk.close();
                throw e;
            }
        }
    }

    /**
     * Writes trunk and head as one checkpoint: the trunk's Hugging Face folder ({@link Checkpoint.Writer#model}) plus {@code score_head.safetensors} and
     * {@code score_head.json} ({@code {"readout": "last"}} or {@code "mean"}).
     */
    public void save(Path dir, Tokenizer tok) {
        Checkpoint.writer().model(trunk).tokenizer(tok)
                .tensors(HEAD_FILE, headParameters()).json(HEAD_FILE, Map.of("readout", readout.key())).write(dir);
    }

    public Readout readout() {
        return readout;
    }

    public CausalLm trunk() {
        return trunk;
    }

    public Device device() {
        return trunk.device();
    }

    public NDManager manager() {
        return trunk.manager();
    }

    /** Trunk and head parameters, for the optimizer. */
    public LinkedHashMap<String, NDArray> parameters() {
        LinkedHashMap<String, NDArray> p = new LinkedHashMap<>(trunk.parameters());
        p.putAll(headParameters());
        return p;
    }

    public LinkedHashMap<String, NDArray> headParameters() {
        LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
        p.put(HEAD_WEIGHT, weight);
        p.put(HEAD_BIAS, bias);
        return p;
    }

    public void setTrainable(boolean on) {
        trunk.setTrainable(on);
        weight.setRequiresGradient(on);
        bias.setRequiresGradient(on);
    }

    /** Scores at every position, {@code [B, T]}; arguments as {@link CausalLm#hidden}. */
    public NDArray scores(NDArray ids, NDArray attentionMask, boolean train) {
        return scoresOf(trunk.hidden(ids, attentionMask, null, null, train));
    }

    /** The head alone on final hidden states {@code [..., C]} of the trunk: scores {@code [...]}. */
    public NDArray scoresOf(NDArray hidden) {
        // h·wᵀ + b via Linear.linear: the result belongs to h's (step) manager; weight.transpose() would leave one
        // array per call in the parameters' manager
        return Linear.linear(hidden, weight, bias).singletonOrThrow().squeeze(-1);
    }

    /**
     * One score per sequence, {@code [B]}, through the {@link Readout}: {@code last[b]} is the position of row b's last
     * real token; the sequences start at position 0 (padding, if any, is on the right).
     */
    public NDArray sequenceScores(NDArray ids, NDArray attentionMask, int[] last, boolean train) {
        NDArray all = scores(ids, attentionMask, train);
        NDManager m = ids.getManager();
        if (readout == Readout.MEAN) {
            // weights 1/(last+1) on positions 0..last, 0 on the padding after it: a masked mean as one product
            int t = (int) all.getShape().get(1);
            float[] w = new float[last.length * t];
            for (int b = 0; b < last.length; b++) Arrays.fill(w, b * t, b * t + last[b] + 1, 1f / (last[b] + 1));
            return all.mul(m.create(w, all.getShape())).sum(new int[] {1});
        }
        long[] idx = new long[last.length];
        for (int i = 0; i < idx.length; i++) idx[i] = last[i];
        return all.gather(m.create(idx, new Shape(idx.length, 1)), 1).squeeze(1);
    }

    /** Adds {@code delta} to the bias: re-centres rewards (e.g. so that SFT samples score mean 0). */
    public void shift(double delta) {
        try (NoGrad ignored = NoGrad.enter()) {
            bias.addi((float) delta);
        }
    }

    @Override
    public void close() {
        if (ownsTrunk) trunk.close();
    }
}
