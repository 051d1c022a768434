package plaudit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import plaudit.model.Scalar;

/**
 * Direct Preference Optimization's loss (Rafailov et al. 2023, eq. 7) and the diagnostics TRL's DPOTrainer logs
 * beside it. The implicit reward of a response is {@code β·(log π(y|x) − log π_ref(y|x))}; the loss is the
 * Bradley–Terry loss of those rewards, {@code −log σ(r_w − r_l)}, averaged over the batch.
 */
public final class DpoLoss {
    private DpoLoss() {
    }

    /**
     * @param loss              differentiable scalar
     * @param rewardsChosen     mean implicit reward of the chosen responses ({@code rewards/chosen})
     * @param rewardsRejected   mean implicit reward of the rejected ones ({@code rewards/rejected})
     * @param rewardsAccuracies fraction of pairs whose chosen reward is the higher ({@code rewards/accuracies})
     * @param rewardsMargins    mean of {@code r_w − r_l} ({@code rewards/margins})
     * @param logpsChosen       mean policy log-prob of the chosen responses ({@code logps/chosen})
     * @param logpsRejected     mean policy log-prob of the rejected ones ({@code logps/rejected})
     */
    public record Terms(NDArray loss, double rewardsChosen, double rewardsRejected, double rewardsAccuracies,
                        double rewardsMargins, double logpsChosen, double logpsRejected) {
    }

    /**
     * All arguments are sequence log-probs {@code [B]} (sums over the response tokens); the reference's carry no
     * gradient.
     */
    public static Terms of(NDArray policyChosen, NDArray policyRejected, NDArray refChosen, NDArray refRejected,
                           double beta) {
        NDArray chosenRewards = Scalar.mul(policyChosen.sub(refChosen), beta);
        NDArray rejectedRewards = Scalar.mul(policyRejected.sub(refRejected), beta);
        NDArray margins = chosenRewards.sub(rejectedRewards);
        NDArray loss = RewardTrainer.softplus(margins.neg()).mean();
        return new Terms(loss, chosenRewards.mean().getFloat(), rejectedRewards.mean().getFloat(),
                chosenRewards.gt(rejectedRewards).toType(DataType.FLOAT32, false).mean().getFloat(),
                margins.mean().getFloat(), policyChosen.mean().getFloat(), policyRejected.mean().getFloat());
    }
}
