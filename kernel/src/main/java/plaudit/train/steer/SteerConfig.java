package plaudit.train.steer;

import plaudit.Setting;
import plaudit.Settings;

/**
 * Settings of goal steering. Defaults: 8 soft vectors for 100 steps at lr 0.01; 8 prefix tokens for 30 GCG
 * iterations of 64 swaps among the top 32; after the prompt, right before the reply: in front of a ~50-token prompt
 * the models Plaudit trains on a CPU barely attend to a prefix (docs/steering.md).
 *
 * <p>Each component is defined once, by its {@link Setting} constant below: default, documentation, validation and
 * the {@code plaudit steer} option. {@link #SETTINGS} is what the CLI and the DSL's {@code steer { }} read.
 */
public record SteerConfig(int softTokens, int steps, double lr, int prefixTokens, int gcgSteps, int gcgTopK,
                          int gcgCandidates, int batchSize, int samplesPerPrompt, int maxNewTokens, long seed,
                          SoftPrefix.Position position) {

    public static final Setting<Integer> SOFT_TOKENS = Setting.of("softTokens", 8, "Soft prompt vectors")
            .check(v -> v > 0, "a positive number of vectors").option("--soft-tokens");
    public static final Setting<Integer> STEPS = Setting.of("steps", 100, "Adam steps on the soft prompt")
            .check(v -> v > 0, "a positive number of Adam steps").option("--steps");
    public static final Setting<Double> LR = Setting.of("lr", 0.01, "Adam learning rate of the soft prompt")
            .check(v -> v > 0 && Double.isFinite(v), "a finite learning rate > 0").option("--lr");
    public static final Setting<Integer> PREFIX_TOKENS = Setting.of("prefixTokens", 8,
                    "Tokens of the discrete prefix that greedy coordinate gradient searches")
            .check(v -> v > 0, "a positive number of tokens").option("--prefix-tokens");
    public static final Setting<Integer> GCG_STEPS = Setting.of("gcgSteps", 30, "Greedy coordinate gradient iterations")
            .check(v -> v > 0, "a positive number of iterations").option("--gcg-steps");
    public static final Setting<Integer> GCG_TOP_K = Setting.of("gcgTopK", 32,
                    "Candidate tokens per prefix position (the most negative one-hot gradients)")
            .check(v -> v > 0, "a positive number of tokens");
    public static final Setting<Integer> GCG_CANDIDATES = Setting.of("gcgCandidates", 64,
            "Single-token swaps evaluated per GCG iteration").check(v -> v > 0, "a positive number of swaps");
    public static final Setting<Integer> BATCH_SIZE = Setting.of("batchSize", 16,
                    "Training prompts per step (all of them when fewer)")
            .check(v -> v > 0, "a positive number of prompts").option("--batch");
    public static final Setting<Integer> SAMPLES_PER_PROMPT = Setting.of("samplesPerPrompt", 2,
                    "Samples per held-out prompt for perplexity, KL and gold")
            .check(v -> v > 0, "a positive number of samples").option("--samples");
    public static final Setting<Integer> MAX_NEW_TOKENS = Setting.of("maxNewTokens", 24, "Most tokens per sample")
            .check(v -> v > 0, "a positive number of tokens").option("--max-tokens");
    public static final Setting<Long> SEED = Setting.of("seed", 1L,
            "Seed of initialisation, batches, candidates and sampling");
    public static final Setting<SoftPrefix.Position> POSITION = Setting.of("position", SoftPrefix.Position.AFTER,
                    "Where the prefix goes: after the prompt (right before the reply), or before it; small models "
                            + "barely attend to a prefix in front of the prompt")
            .check(v -> v != null, "before or after").option("--position");

    /** Every steering setting, in component order. */
    public static final Settings<SteerConfig> SETTINGS = Settings.of(SteerConfig.class, "steer config");

    public SteerConfig {
        SETTINGS.validate(softTokens, steps, lr, prefixTokens, gcgSteps, gcgTopK, gcgCandidates, batchSize,
                samplesPerPrompt, maxNewTokens, seed, position);
    }

    public static SteerConfig defaults() {
        return SETTINGS.defaults();
    }

    /** A builder starting from this config ({@code SETTINGS.builder()} starts from the defaults). */
    public Settings.Builder<SteerConfig> toBuilder() {
        return SETTINGS.builder(this);
    }
}
