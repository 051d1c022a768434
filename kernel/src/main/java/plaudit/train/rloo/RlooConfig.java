package plaudit.train.rloo;

import plaudit.Setting;
import plaudit.Settings;
import plaudit.train.pg.RolloutSettings;

/**
 * RLOO hyperparameters. Defaults: k = 4 samples per prompt (Ahmadian et al. 2024, who report k = 4 beating k = 2;
 * TRL's {@code rloo_k} defaults to 2), KL coefficient β = 0.05 in the sequence reward (TRL's {@code kl_coef}), one
 * pass over each rollout (vanilla REINFORCE with the leave-one-out baseline, as in Ahmadian et al.; more epochs give
 * TRL's PPO-clipped variant with clip 0.2), rollout temperature 1. Batch and learning rate are scaled for CPU-sized
 * models like PPO's.
 *
 * <p>Each component is defined once, by its {@link Setting} constant below: default, documentation, validation and
 * the {@code plaudit rloo} option. {@link #SETTINGS} is what the CLI and the DSL read.
 */
public record RlooConfig(int steps, int prompts, int k, int epochs, int miniBatchSize, double lr, int responseLength,
                         double temperature, double klCoef, double clipRange, boolean normalizeAdvantages,
                         double rewardClip, double missingEosPenalty, double gradClip, int sampleEvery, long seed) {

    /**
     * May change on resume (to at least the checkpoint's step): each step is seeded by its own number and the
     * learning rate is constant, so the steps before the checkpoint are those of a run of any length.
     */
    public static final Setting<Integer> STEPS = Setting.of("steps", 100, "Iterations (rollout + optimisation)")
            .check(v -> v > 0, "> 0").option("--steps").mayChangeOnResume(all -> true);
    public static final Setting<Integer> PROMPTS = Setting.of("prompts", 8,
            "Distinct prompts per rollout; each is sampled k times").check(v -> v > 0, "> 0").option("--prompts");
    public static final Setting<Integer> K = Setting.of("k", 4,
                    "Samples per prompt: the leave-one-out baseline is the mean of the other k − 1")
            .check(v -> v >= 2, ">= 2 (the leave-one-out baseline needs at least 2 samples per prompt)").option("-k");
    public static final Setting<Integer> EPOCHS = Setting.of("epochs", 1,
                    "Passes over each rollout: 1 = REINFORCE, more use the clipped ratio (like TRL)")
            .check(v -> v > 0, "> 0").option("--epochs");
    public static final Setting<Integer> MINI_BATCH_SIZE = Setting.of("miniBatchSize", 16,
                    "Episodes per gradient step; must divide prompts·k")
            .check((v, all) -> v > 0 && (int) all.get("prompts") * (int) all.get("k") % v == 0,
                    all -> "a divisor of prompts·k = " + (int) all.get("prompts") * (int) all.get("k"))
            .option("--mini-batch");
    public static final Setting<Double> LR = Setting.of("lr", 3e-5, "AdamW learning rate (constant)")
            .check(v -> v > 0, "> 0").option("--lr");
    public static final Setting<Integer> RESPONSE_LENGTH = RolloutSettings.RESPONSE_LENGTH;
    public static final Setting<Double> TEMPERATURE = RolloutSettings.TEMPERATURE;
    public static final Setting<Double> KL_COEF = Setting.of("klCoef", 0.05,
            "β of the KL in the reward: reward = score − β·KL(response ‖ SFT)").check(v -> v >= 0, ">= 0").option("--kl-coef");
    public static final Setting<Double> CLIP_RANGE = Setting.of("clipRange", 0.2,
                    "ε of the clipped ratio (only matters once the policy has moved within a rollout)")
            .check(v -> v > 0, "> 0").key("cliprange");
    public static final Setting<Boolean> NORMALIZE_ADVANTAGES = Setting.of("normalizeAdvantages", false,
            "Whiten the advantages per batch (TRL's normalize_advantage)");
    public static final Setting<Double> REWARD_CLIP = RolloutSettings.REWARD_CLIP;
    public static final Setting<Double> MISSING_EOS_PENALTY = RolloutSettings.MISSING_EOS_PENALTY;
    public static final Setting<Double> GRAD_CLIP = RolloutSettings.GRAD_CLIP;
    public static final Setting<Integer> SAMPLE_EVERY = RolloutSettings.SAMPLE_EVERY;
    public static final Setting<Long> SEED = RolloutSettings.SEED;

    /** Every RLOO setting, in component order. */
    public static final Settings<RlooConfig> SETTINGS = Settings.of(RlooConfig.class, "rloo config");

    public RlooConfig {
        SETTINGS.validate(steps, prompts, k, epochs, miniBatchSize, lr, responseLength, temperature, klCoef, clipRange,
                normalizeAdvantages, rewardClip, missingEosPenalty, gradClip, sampleEvery, seed);
    }

    public static RlooConfig defaults() {
        return SETTINGS.defaults();
    }

    /** A builder starting from this config ({@code SETTINGS.builder()} starts from the defaults). */
    public Settings.Builder<RlooConfig> toBuilder() {
        return SETTINGS.builder(this);
    }

    /** Episodes per rollout. */
    public int batchSize() {
        return prompts * k;
    }
}
