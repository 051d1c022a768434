package plaudit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import plaudit.model.NoGrad;
import plaudit.model.Params;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The running mean of a model's weights over the iterates {@link #add added} so far (Polyak–Ruppert averaging). A
 * policy-gradient run's last iterate carries the noise of its last few batches; the mean of the iterates over the
 * end of the run keeps where they went and averages that noise out.
 *
 * <p>The mean lives beside the weights (same device and manager, freed with the model) and is exposed by
 * {@link #tensors()} so that a checkpoint can save and restore it; the caller restores the count with {@link #resumeAt}.
 */
public final class WeightAverage {
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> mean = new LinkedHashMap<>();
    private long count;

    /** @param params the live weights to average (read by {@link #add}, overwritten by {@link #copyInto}) */
    public WeightAverage(Map<String, NDArray> params) {
        this.params = params;
        params.forEach((name, w) -> mean.put(name, w.zerosLike()));
    }

    /** Adds the current weights: mean += (w − mean) / count. */
    public void add() {
        count++;
        try (NoGrad ignored = NoGrad.enter()) {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray m = mean.get(e.getKey());
                try (NDManager scope = m.getManager().newSubManager()) {
                    NDArray delta = e.getValue().sub(m);
                    delta.attach(scope);
                    m.addi(delta.divi((float) count));
                }
            }
        }
    }

    /** Iterates averaged so far. */
    public long count() {
        return count;
    }

    /** The mean, by parameter name, for checkpoints: saved as is, restored in place before {@link #resumeAt}. */
    public Map<String, NDArray> tensors() {
        return Collections.unmodifiableMap(mean);
    }

    /**
     * Sets the count after a checkpoint's mean was written into {@link #tensors()} (in place, as
     * {@link Params#assign} does).
     */
    public void resumeAt(long count) {
        this.count = count;
    }

    /** Overwrites the live weights with the mean (no-op before the first {@link #add}). */
    public void copyInto() {
        if (count > 0) Params.assign(params, mean, "weight average");
    }
}
