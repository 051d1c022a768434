package plaudit.train.pg;

import plaudit.UserError;

/**
 * The KL coefficient β of the per-token penalty {@code −β·(log π − log π_ref)}.
 *
 * <p>{@link #fixed(double)}: β stays put (Stiennon et al. 2020 used 0.05). {@link #adaptive}: Ziegler et al. 2019's
 * proportional controller, which moves β so that the measured KL tracks a target:
 * {@code e = clip(KL/target − 1, −0.2, 0.2)}, {@code β ← β·(1 + e·n/horizon)} where n is the number of episodes
 * (responses) in the batch just used.
 */
public final class KlController {
    private final boolean adaptive;
    private final double target;
    private final double horizon;
    private double value;

    private KlController(double init, boolean adaptive, double target, double horizon) {
        if (!(init >= 0) || !Double.isFinite(init)) throw new UserError("kl_coef must be ≥ 0, got " + init);
        if (adaptive && !(target > 0)) throw new UserError("adaptive KL target must be > 0 nats, got " + target);
        if (adaptive && !(horizon > 0)) throw new UserError("adaptive KL horizon must be > 0 episodes, got " + horizon);
        this.value = init;
        this.adaptive = adaptive;
        this.target = target;
        this.horizon = horizon;
    }

    public static KlController fixed(double beta) {
        return new KlController(beta, false, 0, 0);
    }

    /** Ziegler et al.'s defaults were β₀ = 0.1–0.15, target 6 nats, horizon 10,000 episodes. */
    public static KlController adaptive(double init, double targetKl, double horizon) {
        return new KlController(init, true, targetKl, horizon);
    }

    public double value() {
        return value;
    }

    /** Updates β from the mean per-response KL measured on a batch of {@code episodes} responses. */
    public void update(double meanKl, int episodes) {
        if (!adaptive) return;
        double error = Math.max(-0.2, Math.min(0.2, meanKl / target - 1));
        value *= 1 + error * episodes / horizon;
    }

    /** Restores β after a resume. */
    public void set(double beta) {
        this.value = beta;
    }

    @Override
    public String toString() {
        return adaptive ? "adaptive(β=" + value + ", target=" + target + ", horizon=" + horizon + ")" : "fixed(β=" + value + ")";
    }
}
