package plaudit.experiment;

import plaudit.Setting;
import plaudit.Settings;
import plaudit.UserError;
import plaudit.data.PairRules;
import plaudit.data.Source;
import plaudit.data.SplitRule;
import plaudit.model.Devices;
import plaudit.model.GptConfig;
import plaudit.model.LoraSettings;
import plaudit.model.ScoreModel;
import plaudit.sim.ForumConfig;
import plaudit.train.ppo.PpoConfig;

import java.util.List;
import java.util.Locale;

/**
 * One RLHF run described as plain data: where the comparisons come from, the tokenizer, the model, the four training
 * stages (pretraining, SFT, reward model, PPO), the evaluation, the device and the seed. Immutable and JSON
 * serialisable ({@link #toJson()}, {@link #fromJson(String)}), so the same description can be run here
 * ({@link ExperimentRunner}) or sent elsewhere; reward functions written as code are not part of it (they are
 * passed to the runner). Every field has a default ({@link #defaults()}: a tiny model on the synthetic forum; the
 * training stages at the defaults of their settings, which the CLI commands and the DSL share).
 *
 * @param data        the comparisons
 * @param tokenizer   trained on the corpus, or read from a file
 * @param model       the GPT shape the run pretrains (the vocabulary size is taken from the tokenizer), or a Hugging
 *                    Face folder to start from ({@link ModelSpec})
 * @param lora        LoRA for every trained model ({@link LoraSettings}; rank 0, the default, trains every weight)
 * @param chatTemplate prompts and replies through the folder's chat template when it has one (a GPT the run
 *                    pretrains has none)
 * @param pretrain    language-model pretraining on the corpus (steps 0 = skip; skipped with {@code model.from})
 * @param sft         supervised fine-tuning on (prompt, top-voted reply)
 * @param rewardModel Bradley–Terry reward model on the comparisons, initialised from the SFT model
 * @param ppo         PPO from the SFT model against the reward; its response length is used by every stage
 * @param evaluation  what is measured after training
 * @param device      {@code cpu}, {@code gpu} or {@code gpu:N}; whether that GPU is there is checked where the run starts
 * @param seed        seeds the forum, every stage and the sampling
 */
public record Experiment(Data data, Tokenizer tokenizer, ModelSpec model, LoraSettings lora, boolean chatTemplate,
                         Pretrain pretrain, Sft sft, RewardModel rewardModel, PpoConfig ppo, Evaluation evaluation,
                         String device, long seed) {

    /** The synthetic forum's source key; the others are {@link Source}'s keys. */
    public static final String SYNTHETIC = "synthetic";

    public Experiment {
        require(data != null && tokenizer != null && model != null && lora != null && pretrain != null && sft != null
                && rewardModel != null && ppo != null && evaluation != null && device != null, "a section is missing");
        if (model.fromFolder()) {
            require(tokenizer.file() == null, "tokenizer.file is set, but the tokenizer comes from model.from's folder;"
                    + " remove tokenizer.file");
        } else {
            if (tokenizer.file() == null) checkModelSize(model.gpt(), tokenizer.vocabSize());
            if (lora.enabled()) lora.config("gpt2"); // names a target GPT-2 does not have
        }
        Devices.checkName(device, "experiment: device");
        if (rewardModel.sftReplies() > 0 && !data.synthetic()) {
            throw new UserError("experiment: rewardModel.sftReplies needs the synthetic forum, whose readers vote on "
                    + "the SFT model's replies; with real data set it to 0 and add votes on your model's replies to "
                    + "the comparisons instead (source 'pairs')");
        }
    }

    /** A run that pretrains a GPT of {@code model}, without LoRA, chat template on (a trained tokenizer has none). */
    public Experiment(Data data, Tokenizer tokenizer, GptConfig model, Pretrain pretrain, Sft sft, RewardModel rewardModel,
                      PpoConfig ppo, Evaluation evaluation, String device, long seed) {
        this(data, tokenizer, ModelSpec.of(model), LoraSettings.defaults(), true, pretrain, sft, rewardModel, ppo,
                evaluation, device, seed);
    }

    /** This experiment on another device (a worker runs a spec on its own). */
    public Experiment withDevice(String device) {
        return new Experiment(data, tokenizer, model, lora, chatTemplate, pretrain, sft, rewardModel, ppo, evaluation,
                device, seed);
    }

    /**
     * Where the comparisons come from.
     *
     * @param source  {@code synthetic} (the simulated forum, whose gold preference is known) or a {@link Source} key:
     *                {@code reddit}, {@code shp}, {@code stackexchange}, {@code hn}, {@code pairs}, {@code csv}
     * @param files   input files for a real source (e.g. a Pushshift RS and RC file); for {@code synthetic}, none
     *                (generate the forum from {@code forum}) or one folder written by {@code plaudit forum}, such as
     *                the bundled {@code samples/forum}
     * @param forum   the synthetic forum's knobs
     * @param columns the column mapping for {@code csv} ({@code thread=…,parent=…,text=…,score=…,time=…})
     * @param rules   how threads become comparisons
     */
    public record Data(String source, List<String> files, Forum forum, String columns, Rules rules) {
        public Data {
            files = files == null ? List.of() : List.copyOf(files);
            require(source != null, "data.source is missing");
            if (!source.equals(SYNTHETIC)) Source.of(source); // fails naming the known sources
            if (source.equals(SYNTHETIC) && files.size() > 1) {
                throw new UserError("data: the synthetic forum reads at most one folder (written by `plaudit forum`), "
                        + "but files " + files + " were given");
            }
            if (!source.equals(SYNTHETIC) && files.isEmpty()) throw new UserError("data: source '" + source + "' needs files");
            if (columns != null && !source.equals(Source.CSV.key())) throw new UserError("data.columns is only for source csv");
            require(forum != null && rules != null, "data.forum and data.rules are required");
        }

        public boolean synthetic() {
            return source.equals(SYNTHETIC);
        }
    }

    /**
     * The synthetic forum's main knobs; the others keep {@link ForumConfig}'s defaults. Each is defined once, here,
     * for the spec, the DSL's {@code syntheticForum { }} and {@code plaudit forum} (whose {@code --threads} keeps the
     * generator's own default); the defaults are the generator's, and {@link ForumConfig} validates them.
     */
    public record Forum(int threads, int voters, double voteNoise, double charm, double lengthBias, double hypeBias,
                        double herding) {
        private static final ForumConfig GENERATOR = ForumConfig.builder().build();
        /** Fewer than the generator's default: an experiment's forum is sized for a laptop. */
        public static final Setting<Integer> THREADS = Setting.of("threads", 500, "Threads (posts) to generate");
        public static final Setting<Integer> VOTERS = Setting.of("voters", GENERATOR.voters(), "Size of the voter pool")
                .option("--voters");
        public static final Setting<Double> VOTE_NOISE = Setting.of("voteNoise", GENERATOR.voteNoise(),
                "Voters' mean temperature (higher: noisier votes)").option("--vote-noise");
        public static final Setting<Double> CHARM = Setting.of("charm", GENERATOR.charm(), "SD of a comment's charm, "
                + "liked by all its readers and unseen by gold: the main lever on the noise ceiling").option("--charm");
        public static final Setting<Double> LENGTH_BIAS = Setting.of("lengthBias", GENERATOR.lengthBias(),
                "Voters' extra utility per 30 words (gold: a sweet spot at 30), what a reward model can learn to exploit")
                .option("--length-bias");
        public static final Setting<Double> HYPE_BIAS = Setting.of("hypeBias", GENERATOR.hypeBias(),
                "Voters' extra utility per hype word (gold: a small penalty)").option("--hype-bias");
        public static final Setting<Double> HERDING = Setting.of("herding", GENERATOR.herding(),
                "Extra utility per ln(1 + visible score): rich get richer").option("--herding");
        public static final Settings<Forum> SETTINGS = Settings.of(Forum.class, "experiment");

        public Forum {
            SETTINGS.validate(threads, voters, voteNoise, charm, lengthBias, hypeBias, herding); // numbers are finite
        }

        public static Forum defaults() {
            return SETTINGS.defaults();
        }

        /** A generator config with these knobs; the others at their defaults. */
        public ForumConfig.Builder configBuilder() {
            return ForumConfig.builder().threads(threads).voters(voters).voteNoise(voteNoise).charm(charm)
                    .lengthBias(lengthBias).hypeBias(hypeBias).herding(herding);
        }

        public ForumConfig config(long seed) {
            return configBuilder().seed(seed).build();
        }
    }

    /**
     * The SHP rules that turn threads into comparisons (meaning on {@link PairRules}), and the split; each rule is
     * defined once, on {@link PairRules}, for the spec, the DSL's {@code upvotes(…) { }} and {@code plaudit pairs}.
     *
     * @param split     train, val, test weights (by thread), e.g. {@code [90, 5, 5]}
     * @param splitSeed seed of the split and of the per-post pair sample (default 0, as {@code plaudit pairs})
     */
    public record Rules(double minScoreRatio, int minPostScore, int minCommentScore, int maxCommentsPerPost,
                        int maxPairsPerPost, boolean topLevelOnly, boolean requireLater, int maxTokens,
                        List<Double> split, long splitSeed) {
        public static final Setting<Double> MIN_SCORE_RATIO = PairRules.MIN_SCORE_RATIO.key("data.rules.minScoreRatio");
        public static final Setting<Integer> MIN_POST_SCORE = PairRules.MIN_POST_SCORE.key("data.rules.minPostScore");
        public static final Setting<Integer> MIN_COMMENT_SCORE = PairRules.MIN_COMMENT_SCORE.key("data.rules.minCommentScore");
        public static final Setting<Integer> MAX_COMMENTS_PER_POST = PairRules.MAX_COMMENTS_PER_POST
                .key("data.rules.maxCommentsPerPost");
        public static final Setting<Integer> MAX_PAIRS_PER_POST = PairRules.MAX_PAIRS_PER_POST.key("data.rules.maxPairsPerPost");
        public static final Setting<Boolean> TOP_LEVEL_ONLY = PairRules.TOP_LEVEL_ONLY.key("data.rules.topLevelOnly");
        public static final Setting<Boolean> REQUIRE_LATER = PairRules.REQUIRE_LATER.key("data.rules.requireLater");
        public static final Setting<Integer> MAX_TOKENS = PairRules.MAX_TOKENS.key("data.rules.maxTokens");
        /** {@link SplitRule#DEFAULT}'s fractions as weights. */
        public static final Setting<List<Double>> SPLIT = Setting.of("split", List.class, List.of(90.0, 5.0, 5.0),
                        "Train, validation and test weights, by thread")
                .check(Rules::weights, "three non-negative weights (train, val, test)").key("data.rules.split");
        public static final Setting<Long> SPLIT_SEED = Setting.of("splitSeed", SplitRule.DEFAULT.seed(),
                "Seed of the split and of the per-post pair sample").key("data.rules.splitSeed");
        public static final Settings<Rules> SETTINGS = Settings.of(Rules.class, "experiment");

        public Rules {
            SETTINGS.validate(minScoreRatio, minPostScore, minCommentScore, maxCommentsPerPost, maxPairsPerPost,
                    topLevelOnly, requireLater, maxTokens, split, splitSeed);
            split = List.copyOf(split);
        }

        public static Rules defaults() {
            return SETTINGS.defaults();
        }

        private static boolean weights(List<Double> split) {
            return split != null && split.size() == 3 && split.stream().allMatch(w -> w != null && w >= 0 && Double.isFinite(w))
                    && split.stream().mapToDouble(Double::doubleValue).sum() > 0;
        }

        public PairRules pairRules() {
            double sum = split.get(0) + split.get(1) + split.get(2);
            double train = split.get(0) / sum, val = split.get(1) / sum;
            return PairRules.builder().minScoreRatio(minScoreRatio).minPostScore(minPostScore)
                    .minCommentScore(minCommentScore).maxCommentsPerPost(maxCommentsPerPost)
                    .maxPairsPerPost(maxPairsPerPost).topLevelOnly(topLevelOnly).requireLater(requireLater)
                    .maxTokens(maxTokens)
                    .split(new SplitRule(train, val, 1 - train - val, splitSeed))
                    .build();
        }
    }

    /**
     * @param vocabSize BPE vocabulary trained on the corpus (when no file is given)
     * @param file      a tokenizer.json or a GPT-2 encoder.json (with vocab.bpe beside it); null = train one
     */
    public record Tokenizer(int vocabSize, String file) {
        public Tokenizer {
            require(file != null || vocabSize >= 258, "tokenizer.vocabSize must be >= 258 (bytes + end-of-text), got " + vocabSize);
        }
    }

    /** What every supervised stage's settings have: optimiser steps, batch size and peak learning rate. */
    public sealed interface Training permits Pretrain, Sft, RewardModel {
        int steps();

        int batchSize();

        double lr();
    }

    /**
     * Language-model pretraining on the corpus; each setting is defined once, here, for the spec, the DSL's
     * {@code pretrain { }} and {@code plaudit train-lm}.
     *
     * @param steps     optimiser steps (0 = skip the stage)
     * @param batchSize sequences per step
     * @param lr        peak learning rate (warm-up over the first tenth, then cosine)
     */
    public record Pretrain(int steps, int batchSize, double lr) implements Training {
        public static final Setting<Integer> STEPS = Setting.of("steps", 300, "Optimizer steps (0 skips pretraining in an experiment)")
                .check(v -> v >= 0, ">= 0").option("--steps").key("pretrain.steps");
        public static final Setting<Integer> BATCH_SIZE = Setting.of("batchSize", 16, "Sequences per micro-batch")
                .check(v -> v > 0, "> 0").option("--batch").key("pretrain.batchSize");
        public static final Setting<Double> LR = Setting.of("lr", 1e-3, "Peak learning rate")
                .check(v -> v > 0, "a positive number").option("--lr").key("pretrain.lr");
        public static final Settings<Pretrain> SETTINGS = Settings.of(Pretrain.class, "experiment");

        public Pretrain {
            SETTINGS.validate(steps, batchSize, lr);
        }
    }

    /**
     * Supervised fine-tuning on (prompt, top-voted reply); each setting is defined once, here, for the spec, the
     * DSL's {@code sft { }} and {@code plaudit sft}.
     *
     * @param steps     optimiser steps
     * @param batchSize examples per step
     * @param lr        peak learning rate (warm-up over the first tenth, then cosine)
     */
    public record Sft(int steps, int batchSize, double lr) implements Training {
        public static final Setting<Integer> STEPS = Pretrain.STEPS.withDefault(200, "Optimizer steps").key("sft.steps");
        public static final Setting<Integer> BATCH_SIZE = Pretrain.BATCH_SIZE.withDefault(16, "Examples per step").key("sft.batchSize");
        public static final Setting<Double> LR = Pretrain.LR.withDefault(3e-4, "Peak learning rate").key("sft.lr");
        public static final Settings<Sft> SETTINGS = Settings.of(Sft.class, "experiment");

        public Sft {
            SETTINGS.validate(steps, batchSize, lr);
        }
    }

    /**
     * The reward-model stage; each setting is defined once, here, for the spec, the DSL's {@code rewardModel { }}
     * and {@code plaudit train-rm}.
     *
     * @param steps        optimiser steps (> 0)
     * @param batchSize    comparisons per step
     * @param lr           peak learning rate (warm-up over the first tenth, then cosine)
     * @param readout      {@code last} (the score at the last token, the published recipe) or {@code mean} (the mean
     *                     score over positions); see {@link ScoreModel.Readout}
     * @param sftReplies   synthetic forum only: the SFT model writes this many replies to each training prompt, the
     *                     forum's readers vote on them, and every two with unequal votes become one more training
     *                     comparison ({@link plaudit.sim.ReplyVotes}); 0 = none, else at least 2
     * @param replyReaders readers who vote on each of those replies
     */
    public record RewardModel(int steps, int batchSize, double lr, String readout, int sftReplies, int replyReaders)
            implements Training {
        public static final Setting<Integer> STEPS = Setting.of("steps", 300, "Optimizer steps")
                .check(v -> v > 0, "> 0").option("--steps").key("rewardModel.steps");
        public static final Setting<Integer> BATCH_SIZE = Pretrain.BATCH_SIZE.withDefault(16, "Comparisons per step")
                .key("rewardModel.batchSize");
        public static final Setting<Double> LR = Pretrain.LR.withDefault(1e-4, "Peak learning rate").key("rewardModel.lr");
        public static final Setting<String> READOUT = Setting.of("readout", "last", "How a sequence's score is read: "
                        + "last (the last token's, as published) or mean (the mean over positions)")
                .check(v -> v != null && List.of("last", "mean").contains(v.toLowerCase(Locale.ROOT)), "last or mean")
                .option("--readout").key("rewardModel.readout");
        public static final Setting<Integer> SFT_REPLIES = Setting.of("sftReplies", 0,
                        "Synthetic forum only: SFT replies per training prompt that the forum's readers vote on "
                                + "(0 = none, else >= 2)")
                .check(v -> v == 0 || v >= 2, "0 or >= 2").key("rewardModel.sftReplies");
        /** Enough readers per SFT reply that few pairs of replies tie. */
        public static final Setting<Integer> REPLY_READERS = Setting.of("replyReaders", 30,
                "Readers who vote on each of those replies").check(v -> v >= 1, ">= 1").key("rewardModel.replyReaders");
        public static final Settings<RewardModel> SETTINGS = Settings.of(RewardModel.class, "experiment");

        public RewardModel {
            SETTINGS.validate(steps, batchSize, lr, readout, sftReplies, replyReaders);
        }

        /** The published recipe: last-token readout, forum comparisons only. */
        public static RewardModel of(int steps, int batchSize, double lr) {
            return new RewardModel(steps, batchSize, lr, "last", 0, REPLY_READERS.defaultValue());
        }

        public ScoreModel.Readout scoreReadout() {
            return ScoreModel.Readout.parse(readout);
        }
    }

    /**
     * @param gold           measure against the synthetic forum's gold preference (ignored for real data)
     * @param prompts        held-out prompts for the SFT-vs-PPO comparison and the reward model's re-centring
     * @param samples        responses per prompt and policy in the SFT-vs-PPO comparison: the win rate compares every
     *                       PPO response with every SFT response to the same prompt, so more samples make it less noisy
     * @param bestOfN        n values of best-of-n from SFT with the same reward as PPO (empty = skip)
     * @param bestOfNPrompts held-out prompts for best-of-n
     */
    public record Evaluation(boolean gold, int prompts, int samples, List<Integer> bestOfN, int bestOfNPrompts) {
        public Evaluation {
            bestOfN = bestOfN == null ? List.of() : List.copyOf(bestOfN);
            require(prompts > 0, "evaluation.prompts must be > 0, got " + prompts);
            require(samples > 0, "evaluation.samples must be > 0, got " + samples);
            for (int n : bestOfN) require(n >= 1, "evaluation.bestOfN values must be >= 1, got " + n);
        }
    }

    /** A tiny run on the synthetic forum (a few minutes on a laptop CPU), with PPO at its defaults. */
    public static Experiment defaults() {
        return new Experiment(
                new Data(SYNTHETIC, List.of(), Forum.defaults(), null, Rules.defaults()),
                new Tokenizer(512, null),
                new GptConfig(2, 2, 64, 128, 512, 0.0),
                Pretrain.SETTINGS.defaults(),
                Sft.SETTINGS.defaults(),
                RewardModel.SETTINGS.defaults(),
                PpoConfig.defaults(),
                new Evaluation(true, 48, 2, List.of(1, 2, 4, 8), 16),
                "cpu", 1);
    }

    /** Every field, defaults included (a folder's model without the shape it does not have). */
    public String toJson() {
        return ExperimentJson.write(this);
    }

    /**
     * Reads an experiment; fields left out keep their {@link #defaults()}. Unknown fields, wrong types and invalid
     * values fail with a {@link UserError} naming the field. A {@code model.from} folder is not looked at here (a client
     * reads the specs of a worker's jobs): {@link #checkModelFolder()} does, where the run starts.
     */
    public static Experiment fromJson(String json) {
        return ExperimentJson.read(json);
    }

    /**
     * With {@code model.from}: the folder is there, of a supported family, and has every module {@code lora.targets}
     * names; each refused in one line naming the path. Checked where the run starts and where a worker takes the
     * spec, as the device is, not where it is built (it may name a folder of the machine that runs it).
     */
    public void checkModelFolder() {
        if (!model.fromFolder()) return;
        String type = model.checkFolder();
        if (lora.enabled()) lora.config(type);
    }

    /** A model too large for Plaudit (with the trained tokenizer's vocabulary) is refused here, not after the data stage. */
    private static void checkModelSize(GptConfig model, int vocabSize) {
        try {
            model.withVocabSize(vocabSize);
        } catch (UserError e) {
            throw new UserError("experiment: " + e.getMessage() + " (vocab_size is tokenizer.vocabSize)");
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new UserError("experiment: " + message);
    }
}
