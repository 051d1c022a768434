package plaudit.train;

import plaudit.model.NoGrad;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import plaudit.model.Params;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov &amp; Hutter 2019): Adam with weight decay decoupled from the gradient. Following nanoGPT, only
 * parameters with two or more dimensions (matmul weights, embeddings) decay; biases and LayerNorm gains do not.
 *
 * <p>The moment estimates live on the parameters' manager (they must outlive a step) and are exposed by
 * {@link #state()} so that a checkpoint can save and restore them; the step count is {@link #step()}.
 */
public final class AdamW {
    private final Map<String, NDArray> params;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    public AdamW(Map<String, NDArray> params, double beta1, double beta2, double eps, double weightDecay) {
        this.params = params;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        params.forEach((name, w) -> {
            m.put(name, w.zerosLike());
            v.put(name, w.zerosLike());
        });
    }

    /** nanoGPT's defaults: betas (0.9, 0.95), eps 1e-8. */
    public static AdamW of(Map<String, NDArray> params, double weightDecay) {
        return new AdamW(params, 0.9, 0.95, 1e-8, weightDecay);
    }

    public long step() {
        return step;
    }

    /**
     * Scales every gradient so that their global L2 norm is at most {@code maxNorm} (no-op when {@code maxNorm <= 0}).
     *
     * @return the norm before clipping (NaN/Inf in a gradient propagate, so the caller can stop on them)
     */
    public double clipGradNorm(NDManager scope, double maxNorm) {
        double sq = 0;
        for (NDArray w : params.values()) {
            try (NDManager one = scope.newSubManager()) { // the square of one gradient at a time, not of all at once
                sq += squaredNorm(grad(w, one));
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm && Double.isFinite(norm)) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (NDArray w : params.values()) {
                try (NDManager one = scope.newSubManager()) {
                    grad(w, one).muli(scale);
                }
            }
        }
        return norm;
    }

    /**
     * Sum of squares of a gradient, in double. A finite gradient with entries past ~1e19 (a PPO ratio that exploded
     * within an epoch) overflows a float32 sum of squares to Inf, which would stop a run that clipping can save;
     * then the sum is taken of the gradient divided by its largest entry and scaled back in double (PyTorch's
     * clip_grad_norm_ accumulates in double on the CPU for the same reason). NaN/Inf entries still give NaN/Inf.
     */
    private static double squaredNorm(NDArray g) {
        double sq = g.square().sum().getFloat();
        if (sq != Double.POSITIVE_INFINITY) return sq;
        double max = g.abs().max().getFloat();
        if (!Double.isFinite(max)) return max;
        return max * max * g.div((float) max).square().sum().getFloat();
    }

    /**
     * Applies one AdamW update with learning rate {@code lr}, then zeroes the gradients. Each parameter's temporaries
     * live in a scope of their own, closed before the next parameter: holding them until the step's scope closes kept
     * about five copies of every trained weight alive at once (docs/benchmarks.md, "Where the memory goes").
     */
    public void update(NDManager scope, double lr) {
        try (NoGrad ignored = NoGrad.enter()) {
            step++;
            double bc1 = 1 - StrictMath.pow(beta1, step);
            double bc2 = 1 - StrictMath.pow(beta2, step);
            double stepSize = lr / bc1;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                try (NDManager one = scope.newSubManager()) {
                    NDArray w = e.getValue();
                    NDArray g = grad(w, one);
                    NDArray mt = m.get(e.getKey());
                    NDArray vt = v.get(e.getKey());
                    mt.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                    vt.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                    if (weightDecay > 0 && w.getShape().dimension() >= 2) w.muli((float) (1 - lr * weightDecay));
                    NDArray denom = scoped(vt.div((float) bc2), one).sqrt().addi((float) eps);
                    w.subi(scoped(mt.div(denom), one).muli((float) stepSize));
                    g.subi(g); // zero the gradient in place: grads accumulate across backward passes
                }
            }
        }
    }

    /** The moments as named tensors ({@code m.<param>}, {@code v.<param>}), for checkpoints. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> s = new LinkedHashMap<>();
        m.forEach((k, a) -> s.put("m." + k, a));
        v.forEach((k, a) -> s.put("v." + k, a));
        return s;
    }

    /** Restores moments and the step count saved by {@link #state()}. */
    public void load(Map<String, NDArray> state, long step) {
        Params.assign(state(), state, "optimizer state");
        this.step = step;
    }

    /** {@code a} (a result of an op on a moment, which the moment's long-lived manager would own) owned by {@code scope}. */
    private static NDArray scoped(NDArray a, NDManager scope) {
        a.attach(scope);
        return a;
    }

    /** A gradient wrapper owned by the step scope: getGradient() makes a new handle on every call. */
    private static NDArray grad(NDArray w, NDManager scope) {
        NDArray g = w.getGradient();
        g.attach(scope);
        return g;
    }
}
