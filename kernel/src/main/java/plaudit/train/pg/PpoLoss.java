package plaudit.train.pg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import plaudit.model.Scalar;

/**
 * PPO's clipped objectives (Schulman et al. 2017), averaged over the real response tokens selected by {@code mask}
 * (float, 1 = token, 0 = padding). Each method returns the differentiable loss and, beside it, the diagnostics TRL
 * logs for it.
 */
public final class PpoLoss {
    private PpoLoss() {
    }

    /**
     * @param loss     differentiable scalar
     * @param clipFrac fraction of tokens where the clipped branch was taken ({@code policy/clipfrac_avg} or
     *                 {@code val/clipfrac_avg})
     * @param approxKl {@code ½·mean((log π − log π_old)²)} ({@code policy/approxkl_avg}); NaN for the value loss
     * @param ratio    mean probability ratio π/π_old ({@code val/ratio}); NaN for the value loss
     */
    public record Terms(NDArray loss, double clipFrac, double approxKl, double ratio) {
    }

    /** Clipped surrogate: {@code mean(max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)))} with {@code ρ = exp(log π − log π_old)}. */
    public static Terms policy(NDArray logp, NDArray oldLogp, NDArray advantages, NDArray mask, double clip) {
        NDArray logRatio = logp.sub(oldLogp);
        NDArray ratio = logRatio.exp();
        NDArray unclipped = advantages.neg().mul(ratio);
        NDArray clipped = advantages.neg().mul(ratio.clip(1 - clip, 1 + clip));
        NDArray loss = maskedMean(unclipped.maximum(clipped), mask);
        double clipFrac = maskedMean(clipped.gt(unclipped).toType(DataType.FLOAT32, false), mask).getFloat();
        double approxKl = 0.5 * maskedMean(logRatio.square(), mask).getFloat();
        double meanRatio = maskedMean(ratio, mask).getFloat();
        return new Terms(loss, clipFrac, approxKl, meanRatio);
    }

    /**
     * Clipped value loss: {@code ½·mean(max((V − R)², (V_old + clip(V − V_old, −ε, ε) − R)²))}.
     */
    public static Terms value(NDArray values, NDArray oldValues, NDArray returns, NDArray mask, double clip) {
        NDArray vClipped = oldValues.add(values.sub(oldValues).clip(-clip, clip));
        NDArray lossUnclipped = values.sub(returns).square();
        NDArray lossClipped = vClipped.sub(returns).square();
        NDArray loss = Scalar.mul(maskedMean(lossUnclipped.maximum(lossClipped), mask), 0.5);
        double clipFrac = maskedMean(lossClipped.gt(lossUnclipped).toType(DataType.FLOAT32, false), mask).getFloat();
        return new Terms(loss, clipFrac, Double.NaN, Double.NaN);
    }

    /** CleanRL's total: {@code policy + vf_coef·value − ent_coef·entropy} (no entropy term when the coefficient is 0). */
    public static NDArray total(NDArray policy, NDArray value, NDArray entropy, double vfCoef, double entCoef) {
        NDArray loss = policy.add(Scalar.mul(value, vfCoef));
        return entCoef > 0 ? loss.sub(Scalar.mul(entropy, entCoef)) : loss;
    }

    /** Mean of {@code x} over the entries where {@code mask} is 1. */
    public static NDArray maskedMean(NDArray x, NDArray mask) {
        return x.mul(mask).sum().div(mask.sum().maximum(1f));
    }
}
