package plaudit.train.steer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import plaudit.UserError;
import plaudit.model.Gpt;
import plaudit.model.NoGrad;
import plaudit.report.Progress;
import plaudit.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Greedy coordinate gradient (Zou et al. 2023, "GCG"): a readable k-token prefix that makes the target likelier.
 * Each iteration takes the gradient of {@code −log p(target | prefix, prompt)} with respect to the one-hot prefix
 * tokens, keeps per position the top-k tokens whose gradient promises the largest decrease, evaluates a batch of
 * single-token swaps drawn from them exactly, and keeps the best swap if it lowers the loss (so the loss of the kept
 * prefix never rises). Candidate tokens are restricted to {@link #readable} ones.
 */
public final class GreedyCoordinateGradient {
    /** Rows per forward pass when scoring candidates × prompts. */
    private static final int ROWS_PER_PASS = 256;

    private GreedyCoordinateGradient() {
    }

    /** One iteration's outcome: the prefix kept and the batch loss before and after. */
    public record Step(int[] prefix, double lossBefore, double lossAfter) {
    }

    /** Searches a prefix of {@code cfg.prefixTokens()} tokens for {@code cfg.gcgSteps()} iterations. */
    public static int[] search(Gpt model, Tokenizer tok, List<int[]> prompts, int[] target, SteerConfig cfg) {
        model.setTrainable(false);
        boolean[] allowed = readable(tok, model.config().vocabSize());
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        int[] prefix = initialPrefix(tok, allowed, cfg.prefixTokens());
        try (Progress bar = new Progress("gcg", cfg.gcgSteps())) {
            for (int i = 0; i < cfg.gcgSteps(); i++) {
                List<int[]> batch = SoftPromptTuning.batch(prompts, cfg.batchSize(), rng);
                Step s = step(model, batch, target, prefix, cfg.position(), allowed, cfg.gcgTopK(), cfg.gcgCandidates(), rng);
                prefix = s.prefix();
                bar.set("loss", s.lossAfter()).set("p", Math.exp(-s.lossAfter())).step();
            }
        }
        return prefix;
    }

    /** One GCG iteration on a batch of prompts. */
    public static Step step(Gpt model, List<int[]> prompts, int[] target, int[] prefix, SoftPrefix.Position position,
                            boolean[] allowed, int topK, int candidates, SplittableRandom rng) {
        int k = prefix.length;
        int vocab = model.config().vocabSize();
        double lossBefore;
        float[] grad;
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray oneHot = scope.create(oneHot(prefix, vocab), new Shape(k, vocab));
            oneHot.setRequiresGradient(true);
            NDArray wte = model.parameters().get("transformer.wte.weight");
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = SteerBatch.of(scope, prompts, target, k, position, model.config().blockSize())
                        .targetLogProbs(model, oneHot.matMul(wte)).mean().neg();
                lossBefore = loss.getFloat();
                gc.backward(loss);
            }
            NDArray g = oneHot.getGradient();
            g.attach(scope);
            grad = g.toFloatArray();
        }

        int[][] top = new int[k][];
        for (int j = 0; j < k; j++) top[j] = mostNegative(grad, j * vocab, vocab, allowed, prefix[j], topK);
        List<int[]> swaps = new ArrayList<>();
        for (int c = 0; c < candidates; c++) {
            int pos = c * k / candidates; // positions spread evenly over the candidates, as in GCG
            if (top[pos].length == 0) continue;
            int[] swap = prefix.clone();
            swap[pos] = top[pos][rng.nextInt(top[pos].length)];
            swaps.add(swap);
        }
        if (swaps.isEmpty()) return new Step(prefix, lossBefore, lossBefore);
        double[] losses = losses(model, prompts, target, swaps, position);
        int best = 0;
        for (int c = 1; c < losses.length; c++) if (losses[c] < losses[best]) best = c;
        if (losses[best] < lossBefore) return new Step(swaps.get(best), lossBefore, losses[best]);
        return new Step(prefix, lossBefore, lossBefore);
    }

    /** Mean {@code −log p(target | prefix, prompt)} over the prompts, for each prefix (all of one length). */
    static double[] losses(Gpt model, List<int[]> prompts, int[] target, List<int[]> prefixes,
                           SoftPrefix.Position position) {
        int n = prompts.size();
        int k = prefixes.get(0).length;
        int per = Math.max(1, ROWS_PER_PASS / n); // prefixes per forward pass
        double[] out = new double[prefixes.size()];
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < prefixes.size(); from += per) {
                int to = Math.min(prefixes.size(), from + per);
                try (NDManager scope = model.manager().newSubManager()) {
                    List<int[]> rows = new ArrayList<>();
                    long[] prefixIds = new long[(to - from) * n * k];
                    int r = 0;
                    for (int c = from; c < to; c++) {
                        for (int[] prompt : prompts) {
                            rows.add(prompt);
                            for (int j = 0; j < k; j++) prefixIds[r * k + j] = prefixes.get(c)[j];
                            r++;
                        }
                    }
                    NDArray prefix = model.embedTokens(scope.create(prefixIds, new Shape(r, k))); // [rows, k, C]
                    float[] logp = SteerBatch.of(scope, rows, target, k, position, model.config().blockSize())
                            .targetLogProbs(model, prefix).toFloatArray();
                    for (int c = from; c < to; c++) {
                        double sum = 0;
                        for (int i = 0; i < n; i++) sum += logp[(c - from) * n + i];
                        out[c] = -sum / n;
                    }
                }
            }
        }
        return out;
    }

    private static float[] oneHot(int[] ids, int vocab) {
        float[] x = new float[ids.length * vocab];
        for (int j = 0; j < ids.length; j++) x[j * vocab + ids[j]] = 1f;
        return x;
    }

    /** Up to {@code topK} allowed tokens other than {@code current} with the smallest gradient, best first. */
    private static int[] mostNegative(float[] grad, int offset, int vocab, boolean[] allowed, int current, int topK) {
        return IntStream.range(0, vocab).filter(t -> allowed[t] && t != current).boxed()
                .sorted((a, b) -> Float.compare(grad[offset + a], grad[offset + b])).limit(topK)
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * Tokens a reader can read in a prefix: their text is printable ASCII without control characters, and they are
     * not end-of-text.
     */
    public static boolean[] readable(Tokenizer tok, int vocab) {
        boolean[] ok = new boolean[vocab];
        for (int t = 0; t < vocab; t++) {
            if (t == tok.eosId()) continue;
            String s = tok.decode(new int[] {t});
            ok[t] = !s.isBlank() && s.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f);
        }
        return ok;
    }

    /** A neutral start: k copies of the first readable token that is a whole word with a leading space, if any. */
    static int[] initialPrefix(Tokenizer tok, boolean[] allowed, int k) {
        int start = -1;
        for (int t = 0; t < allowed.length && start < 0; t++) {
            if (allowed[t] && tok.decode(new int[] {t}).matches(" [a-z]+")) start = t;
        }
        for (int t = 0; t < allowed.length && start < 0; t++) if (allowed[t]) start = t;
        if (start < 0) throw new UserError("steer: the tokenizer has no readable token to build a prefix from");
        int[] p = new int[k];
        Arrays.fill(p, start);
        return p;
    }
}
