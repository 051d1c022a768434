package plaudit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import plaudit.UserError;
import plaudit.model.Scalar;

import java.util.function.IntFunction;

/**
 * One optimizer step shared by every trainer: {@code micro} forward/backward passes (gradient accumulation), a
 * finiteness check naming the step and the quantity, global-norm clipping, then AdamW. The loss function is called
 * with the micro-batch index and must build its arrays in the step's scope.
 */
public final class TrainStep {

    /** @param loss mean loss over the micro-batches; @param gradNorm global gradient norm before clipping */
    public record Result(double loss, double gradNorm) {
    }

    private TrainStep() {
    }

    /** @param step the step's number as metrics.csv shows it (1-based), for the error of a non-finite loss or norm */
    public static Result run(NDManager scope, AdamW opt, double lr, double gradClip, int micro, int step,
                             IntFunction<NDArray> lossOf) {
        double loss = 0;
        for (int i = 0; i < micro; i++) {
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray l = lossOf.apply(i);
                loss += l.getFloat() / micro;
                gc.backward(micro == 1 ? l : Scalar.div(l, micro));
            }
        }
        requireFinite(loss, "loss", step);
        double norm = opt.clipGradNorm(scope, gradClip);
        requireFinite(norm, "gradient norm", step);
        opt.update(scope, lr);
        return new Result(loss, norm);
    }

    /** Stops a run on NaN/Inf with a message that names the step (1-based, as metrics.csv) and the quantity. */
    public static void requireFinite(double value, String quantity, int step) {
        if (!Double.isFinite(value)) {
            throw new UserError(quantity + " became " + value + " at step " + step
                    + "; the run stops here and the last good checkpoint is kept. Lower the learning rate or "
                    + "check the input data for empty or extreme records");
        }
    }
}
