package plaudit.train.pg;

import plaudit.UserError;

/**
 * The reward failed on a rollout (returned NaN or ±∞, or threw a {@link UserError}): raised before the step changes
 * anything, so the trainer is still at the last completed step and {@link ResumableTraining} can checkpoint it for a
 * resume once the reward is fixed.
 */
public final class RewardFailure extends UserError {
    public RewardFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
