package plaudit.train.pg;

/**
 * Per-token estimators of KL(π ‖ π_ref) from log-probabilities of tokens sampled from π (Schulman, "Approximating KL
 * divergence", 2020). With {@code r = log π_ref − log π}: {@code k1 = −r} is unbiased but can be negative per sample;
 * {@code k3 = (e^r − 1) − r} is unbiased and never negative. PPO's per-token penalty uses k1 (TRL's default); a mean
 * k1 that stays negative over a batch signals a bug (mismatched temperature or padding), not a real KL.
 */
public enum KlEstimator {
    K1, K3;

    public double of(double logp, double refLogp) {
        double r = refLogp - logp;
        return this == K1 ? -r : StrictMath.expm1(r) - r;
    }
}
