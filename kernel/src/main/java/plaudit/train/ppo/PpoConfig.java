package plaudit.train.ppo;

import plaudit.Setting;
import plaudit.Settings;
import plaudit.train.pg.KlController;
import plaudit.train.pg.RolloutSettings;

/**
 * PPO hyperparameters. Defaults follow the published recipes (sources in docs/defaults.md): clip 0.2, value
 * clip 0.2, {@code vf_coef} 0.1, γ 1, λ 0.95, 4 PPO epochs (Ziegler et al. 2019; TRL); KL coefficient 0.05 fixed
 * (Stiennon et al. 2020; TRL) or adaptive with target 6 nats and horizon 10,000 (Ziegler et al.); rollout
 * temperature 1; no reward whitening, no entropy bonus (TRL). Batch sizes and learning rate are scaled down for
 * CPU-sized models.
 *
 * <p>Each component is defined once, by its {@link Setting} constant below: default, documentation, validation,
 * the DSL's name and the {@code plaudit ppo} option. {@link #SETTINGS} is what the CLI, the DSL and the experiment
 * spec read.
 */
public record PpoConfig(int steps, int batchSize, int miniBatchSize, int ppoEpochs, double lr, boolean annealLr,
                        double averageTail, int responseLength, double temperature, double klCoef, boolean adaptiveKl,
                        double targetKl, double klHorizon, double clipRange, double clipRangeValue, double vfCoef,
                        double entCoef, double gamma, double lam, boolean whitenRewards, double rewardClip,
                        double missingEosPenalty, double gradClip, boolean sharedTrunk, int sampleEvery, long seed) {

    /**
     * May change on resume (to at least the checkpoint's step) unless the learning rate is annealed or the tail
     * averaged: each step is seeded by its own number, so the steps before the checkpoint are those of a run of any
     * length, but annealing and averaging spread over the whole run and would have differed.
     */
    public static final Setting<Integer> STEPS = Setting.of("steps", 100, "PPO iterations (rollout + optimisation)")
            .check(v -> v > 0, "> 0").option("--steps")
            .mayChangeOnResume(all -> !(Boolean) all.get("annealLr") && (Double) all.get("averageTail") == 0);
    public static final Setting<Integer> BATCH_SIZE = Setting.of("batchSize", 32, "Prompts (episodes) per rollout")
            .check(v -> v > 0, "> 0").option("--batch");
    public static final Setting<Integer> MINI_BATCH_SIZE = Setting.of("miniBatchSize", 8,
                    "Episodes per gradient step; must divide the batch size")
            .check((v, all) -> v > 0 && (int) all.get("batchSize") % v == 0,
                    all -> "a divisor of batch_size " + all.get("batchSize")).option("--mini-batch");
    public static final Setting<Integer> PPO_EPOCHS = Setting.of("ppoEpochs", 4, "PPO epochs: passes over each rollout batch")
            .check(v -> v > 0, "> 0").dsl("epochs").option("--epochs");
    public static final Setting<Double> LR = Setting.of("lr", 5e-5, "AdamW learning rate (the first step's, when annealed)")
            .check(v -> v > 0, "> 0").option("--lr");
    /** CleanRL's {@code anneal_lr}, TRL's default linear schedule: the last steps refine the policy instead of moving it. */
    public static final Setting<Boolean> ANNEAL_LR = Setting.of("annealLr", false,
            "Decay the learning rate linearly to 0 over the run (CleanRL's anneal_lr)").option("--anneal-lr");
    /**
     * Polyak–Ruppert averaging: the last iterate carries the noise of the last few batches, the mean averages it out.
     * The logged metrics are the live iterates'; the final checkpoint holds the mean, earlier checkpoints the live policy.
     */
    public static final Setting<Double> AVERAGE_TAIL = Setting.of("averageTail", 0.0,
                    "The run's policy is the mean of its weights over this last fraction of the steps; 0 = the last iterate")
            .check(v -> v >= 0 && v < 1, "a fraction of the steps in [0, 1)").option("--average-tail");
    public static final Setting<Integer> RESPONSE_LENGTH = RolloutSettings.RESPONSE_LENGTH;
    public static final Setting<Double> TEMPERATURE = RolloutSettings.TEMPERATURE;
    public static final Setting<Double> KL_COEF = Setting.of("klCoef", 0.05,
                    "β, the per-token KL penalty coefficient (initial value when adaptive)")
            .check(v -> v >= 0, ">= 0").option("--kl-coef");
    public static final Setting<Boolean> ADAPTIVE_KL = Setting.of("adaptiveKl", false,
            "Ziegler et al.'s adaptive KL controller instead of a fixed β");
    public static final Setting<Double> TARGET_KL = Setting.of("targetKl", 6.0,
                    "Target KL in nats per response: the adaptive controller moves β towards it")
            .dsl("adaptiveKl.target").option("--adaptive-kl").enables(ADAPTIVE_KL);
    public static final Setting<Double> KL_HORIZON = Setting.of("klHorizon", 10_000.0,
            "Adaptive controller horizon in episodes").dsl("adaptiveKl.horizon").option("--kl-horizon");
    public static final Setting<Double> CLIP_RANGE = Setting.of("clipRange", 0.2, "ε of the clipped surrogate")
            .check(v -> v > 0, "> 0").key("cliprange");
    public static final Setting<Double> CLIP_RANGE_VALUE = Setting.of("clipRangeValue", 0.2, "ε of the clipped value loss")
            .check(v -> v > 0, "> 0").key("cliprange_value");
    public static final Setting<Double> VF_COEF = Setting.of("vfCoef", 0.1, "Weight of the value loss");
    public static final Setting<Double> ENT_COEF = Setting.of("entCoef", 0.0, "Weight of the entropy bonus (0 = off)");
    public static final Setting<Double> GAMMA = Setting.of("gamma", 1.0, "Discount")
            .check(v -> v > 0 && v <= 1, "in (0, 1]");
    public static final Setting<Double> LAM = Setting.of("lam", 0.95, "GAE λ").check(v -> v >= 0 && v <= 1, "in [0, 1]");
    public static final Setting<Boolean> WHITEN_REWARDS = Setting.of("whitenRewards", false,
            "Whiten the per-token rewards before GAE");
    public static final Setting<Double> REWARD_CLIP = RolloutSettings.REWARD_CLIP;
    public static final Setting<Double> MISSING_EOS_PENALTY = RolloutSettings.MISSING_EOS_PENALTY;
    public static final Setting<Double> GRAD_CLIP = RolloutSettings.GRAD_CLIP;
    public static final Setting<Boolean> SHARED_TRUNK = Setting.of("sharedTrunk", false,
            "Value head on the policy's own trunk instead of a separate value network initialised from the reward "
                    + "model: about half the update's compute, one model less in memory").option("--shared-trunk");
    public static final Setting<Integer> SAMPLE_EVERY = RolloutSettings.SAMPLE_EVERY;
    public static final Setting<Long> SEED = RolloutSettings.SEED;

    /** Every PPO setting, in component order. */
    public static final Settings<PpoConfig> SETTINGS = Settings.of(PpoConfig.class, "ppo config");

    public PpoConfig {
        SETTINGS.validate(steps, batchSize, miniBatchSize, ppoEpochs, lr, annealLr, averageTail, responseLength,
                temperature, klCoef, adaptiveKl, targetKl, klHorizon, clipRange, clipRangeValue, vfCoef, entCoef, gamma,
                lam, whitenRewards, rewardClip, missingEosPenalty, gradClip, sharedTrunk, sampleEvery, seed);
    }

    public static PpoConfig defaults() {
        return SETTINGS.defaults();
    }

    /** A builder starting from this config ({@code SETTINGS.builder()} starts from the defaults). */
    public Settings.Builder<PpoConfig> toBuilder() {
        return SETTINGS.builder(this);
    }

    /** Ziegler et al.'s adaptive KL controller, starting at this config's kl_coef. */
    public PpoConfig withAdaptiveKl(double target, double horizon) {
        return toBuilder().set(ADAPTIVE_KL, true).set(TARGET_KL, target).set(KL_HORIZON, horizon).build();
    }

    /** A fixed KL coefficient β. */
    public PpoConfig withFixedKl(double beta) {
        return toBuilder().set(ADAPTIVE_KL, false).set(KL_COEF, beta).build();
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
