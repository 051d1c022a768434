package plaudit.train.ppo;

import plaudit.train.pg.KlController;

import plaudit.UserError;

/**
 * PPO hyperparameters. Defaults follow the published recipes (sources in the README's PPO table): clip 0.2, value
 * clip 0.2, {@code vf_coef} 0.1, γ 1, λ 0.95, 4 PPO epochs (Ziegler et al. 2019; TRL); KL coefficient 0.05 fixed
 * (Stiennon et al. 2020; TRL) or adaptive with target 6 nats and horizon 10,000 (Ziegler et al.); rollout
 * temperature 1; no reward whitening, no entropy bonus (TRL). Batch sizes and learning rate are scaled down for
 * CPU-sized models.
 *
 * @param steps             PPO iterations (rollout + optimisation)
 * @param batchSize         prompts (episodes) per rollout
 * @param miniBatchSize     episodes per gradient step; {@code batchSize} must be a multiple
 * @param ppoEpochs         passes over each rollout batch
 * @param lr                AdamW learning rate (the first step's, when annealed)
 * @param annealLr          decay the learning rate linearly to 0 over {@code steps} (CleanRL's {@code anneal_lr};
 *                          TRL's default linear schedule): the last steps then refine the policy instead of moving it
 *                          as far as the first, so where a run stops matters less
 * @param averageTail       the run's policy is the mean of its weights over this last fraction of the steps
 *                          (Polyak–Ruppert averaging; 0 = the last iterate): the last iterate carries the noise of the
 *                          last few batches, the mean averages it out. The logged metrics are the live iterates'; the
 *                          final checkpoint holds the mean, earlier checkpoints the live policy
 * @param responseLength    most tokens per response
 * @param temperature       rollout sampling temperature (log-probs use the same temperature)
 * @param klCoef            initial β of the per-token KL penalty
 * @param adaptiveKl        use Ziegler's adaptive controller instead of a fixed β
 * @param targetKl          adaptive controller's target KL (nats per response)
 * @param klHorizon         adaptive controller's horizon (episodes)
 * @param clipRange         ε of the clipped surrogate
 * @param clipRangeValue    ε of the clipped value loss
 * @param vfCoef            weight of the value loss
 * @param entCoef           weight of the entropy bonus (0 = off)
 * @param gamma             discount
 * @param lam               GAE λ
 * @param whitenRewards     whiten the per-token rewards before GAE
 * @param rewardClip        clip scores to ±this before use; ≤ 0 = off
 * @param missingEosPenalty subtracted from the score of a response that did not end with EOS; 0 = off
 * @param gradClip          max global gradient norm
 * @param sharedTrunk       value head on the policy's own trunk (one network, trained by both losses) instead of a
 *                          separate value network: half the update's compute and one model less in memory
 * @param sampleEvery       write a samples table every this many steps
 * @param seed              seeds prompts, sampling and minibatch order (per step, so a resumed run repeats them)
 */
public record PpoConfig(int steps, int batchSize, int miniBatchSize, int ppoEpochs, double lr, boolean annealLr,
                        double averageTail,
                        int responseLength,
                        double temperature, double klCoef, boolean adaptiveKl, double targetKl, double klHorizon,
                        double clipRange, double clipRangeValue, double vfCoef, double entCoef, double gamma,
                        double lam, boolean whitenRewards, double rewardClip, double missingEosPenalty,
                        double gradClip, boolean sharedTrunk, int sampleEvery, long seed) {

    public PpoConfig {
        require(steps > 0, "steps", steps);
        require(batchSize > 0, "batch_size", batchSize);
        require(miniBatchSize > 0 && batchSize % miniBatchSize == 0, "mini_batch_size", miniBatchSize + " (must divide batch_size " + batchSize + ")");
        require(ppoEpochs > 0, "ppo_epochs", ppoEpochs);
        require(lr > 0, "lr", lr);
        require(averageTail >= 0 && averageTail < 1, "average_tail", averageTail + " (a fraction of the steps in [0, 1))");
        require(responseLength > 0, "response_length", responseLength);
        require(temperature > 0, "temperature", temperature + " (PPO needs a proper sampling distribution)");
        require(klCoef >= 0, "kl_coef", klCoef);
        require(clipRange > 0, "cliprange", clipRange);
        require(clipRangeValue > 0, "cliprange_value", clipRangeValue);
        require(gamma > 0 && gamma <= 1, "gamma", gamma);
        require(lam >= 0 && lam <= 1, "lam", lam);
    }

    private static void require(boolean ok, String key, Object value) {
        if (!ok) throw new UserError("ppo config: " + key + " = " + value + " is invalid");
    }

    public static PpoConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.steps = steps;
        b.batchSize = batchSize;
        b.miniBatchSize = miniBatchSize;
        b.ppoEpochs = ppoEpochs;
        b.lr = lr;
        b.annealLr = annealLr;
        b.averageTail = averageTail;
        b.responseLength = responseLength;
        b.temperature = temperature;
        b.klCoef = klCoef;
        b.adaptiveKl = adaptiveKl;
        b.targetKl = targetKl;
        b.klHorizon = klHorizon;
        b.clipRange = clipRange;
        b.clipRangeValue = clipRangeValue;
        b.vfCoef = vfCoef;
        b.entCoef = entCoef;
        b.gamma = gamma;
        b.lam = lam;
        b.whitenRewards = whitenRewards;
        b.rewardClip = rewardClip;
        b.missingEosPenalty = missingEosPenalty;
        b.gradClip = gradClip;
        b.sharedTrunk = sharedTrunk;
        b.sampleEvery = sampleEvery;
        b.seed = seed;
        return b;
    }

    /** Mutable builder; every field starts at the default documented on {@link PpoConfig}. */
    public static final class Builder {
        private int steps = 100;
        private int batchSize = 32;
        private int miniBatchSize = 8;
        private int ppoEpochs = 4;
        private double lr = 3e-5;
        private boolean annealLr = false;
        private double averageTail = 0.0;
        private int responseLength = 24;
        private double temperature = 1.0;
        private double klCoef = 0.05;
        private boolean adaptiveKl = false;
        private double targetKl = 6.0;
        private double klHorizon = 10_000;
        private double clipRange = 0.2;
        private double clipRangeValue = 0.2;
        private double vfCoef = 0.1;
        private double entCoef = 0.0;
        private double gamma = 1.0;
        private double lam = 0.95;
        private boolean whitenRewards = false;
        private double rewardClip = 0.0;
        private double missingEosPenalty = 0.0;
        private double gradClip = 1.0;
        private boolean sharedTrunk = false;
        private int sampleEvery = 10;
        private long seed = 1;

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder miniBatchSize(int v) {
            miniBatchSize = v;
            return this;
        }

        public Builder ppoEpochs(int v) {
            ppoEpochs = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder annealLr(boolean v) {
            annealLr = v;
            return this;
        }

        public Builder averageTail(double v) {
            averageTail = v;
            return this;
        }

        public Builder responseLength(int v) {
            responseLength = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder klCoef(double v) {
            klCoef = v;
            return this;
        }

        public Builder clipRange(double v) {
            clipRange = v;
            return this;
        }

        public Builder clipRangeValue(double v) {
            clipRangeValue = v;
            return this;
        }

        public Builder vfCoef(double v) {
            vfCoef = v;
            return this;
        }

        public Builder entCoef(double v) {
            entCoef = v;
            return this;
        }

        public Builder gamma(double v) {
            gamma = v;
            return this;
        }

        public Builder lam(double v) {
            lam = v;
            return this;
        }

        public Builder whitenRewards(boolean v) {
            whitenRewards = v;
            return this;
        }

        public Builder rewardClip(double v) {
            rewardClip = v;
            return this;
        }

        public Builder missingEosPenalty(double v) {
            missingEosPenalty = v;
            return this;
        }

        public Builder gradClip(double v) {
            gradClip = v;
            return this;
        }

        public Builder sharedTrunk(boolean v) {
            sharedTrunk = v;
            return this;
        }

        public Builder sampleEvery(int v) {
            sampleEvery = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Ziegler et al.'s adaptive KL controller, starting at the current kl_coef. */
        public Builder adaptiveKl(double target, double horizon) {
            adaptiveKl = true;
            targetKl = target;
            klHorizon = horizon;
            return this;
        }

        /** A fixed KL coefficient. */
        public Builder fixedKl(double beta) {
            adaptiveKl = false;
            klCoef = beta;
            return this;
        }

        public PpoConfig build() {
            return new PpoConfig(steps, batchSize, miniBatchSize, ppoEpochs, lr, annealLr, averageTail, responseLength, temperature, klCoef, adaptiveKl, targetKl, klHorizon, clipRange, clipRangeValue, vfCoef, entCoef, gamma, lam, whitenRewards, rewardClip, missingEosPenalty, gradClip, sharedTrunk, sampleEvery, seed);
        }
    }

    /** The learning rate of step {@code step} (0-based): {@code lr}, or with annealing {@code lr·(1 − step/steps)}. */
    public double lrAt(int step) {
        return annealLr ? lr * (1 - (double) step / steps) : lr;
    }

    /** Steps before the averaged tail ({@link #averageTail}): iterates after this many steps are averaged. */
    public int averageFrom() {
        return steps - (int) Math.round(averageTail * steps);
    }

    public KlController klController() {
        return adaptiveKl ? KlController.adaptive(klCoef, targetKl, klHorizon) : KlController.fixed(klCoef);
    }
}
