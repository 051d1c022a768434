package plaudit.train.pg;

import plaudit.Setting;

/**
 * The settings of a rollout and its update that PPO and RLOO share, defined once: each config declares these as its
 * own constants ({@code PpoConfig.RESPONSE_LENGTH = RolloutSettings.RESPONSE_LENGTH}), so both commands, both DSL
 * blocks and both error messages agree.
 */
public final class RolloutSettings {
    public static final Setting<Integer> RESPONSE_LENGTH = Setting.of("responseLength", 24, "Most tokens per response")
            .check(v -> v > 0, "> 0").option("--response-length");
    public static final Setting<Double> TEMPERATURE = Setting.of("temperature", 1.0,
                    "Rollout sampling temperature (log-probs use the same)")
            .check(v -> v > 0, "> 0 (the policy gradient needs a proper sampling distribution)");
    public static final Setting<Double> REWARD_CLIP = Setting.of("rewardClip", 0.0,
            "Clip scores to ± this before use; <= 0 = off");
    public static final Setting<Double> MISSING_EOS_PENALTY = Setting.of("missingEosPenalty", 0.0,
            "Subtracted from the score of a response that did not end with EOS; 0 = off").option("--missing-eos-penalty");
    public static final Setting<Double> GRAD_CLIP = Setting.of("gradClip", 1.0, "Max global gradient norm");
    /** May change on resume: it picks which rollouts samples.csv keeps, not what any step computes. */
    public static final Setting<Integer> SAMPLE_EVERY = Setting.of("sampleEvery", 10,
            "Keep sample rows every this many steps (0 = none)").mayChangeOnResume(all -> true);
    public static final Setting<Long> SEED = Setting.of("seed", 1L,
            "Seeds prompts, sampling and minibatch order (per step, so a resumed run repeats them)");

    private RolloutSettings() {
    }
}
