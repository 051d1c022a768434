package plaudit.experiment;

import plaudit.model.ScoreModel;
import plaudit.reward.RewardModelScorer;
import plaudit.text.Turns;
import plaudit.train.LmTrainer;
import plaudit.train.LrSchedule;
import plaudit.train.RewardTrainer;
import plaudit.train.SftTrainer;

/**
 * Every constant the pipeline's stages use that the {@link Experiment} spec does not set, in one place, so that a stage
 * run from the CLI ({@code plaudit sft}, {@code plaudit train-rm}) and from an experiment trains the same model from the
 * same inputs and seed.
 */
public final class Recipe {
    /** Pretraining holds out every this many documents of the corpus as its validation text. */
    public static final int PRETRAIN_VAL_EVERY = 20;
    /** Pretraining's cosine ends at the peak learning rate divided by this (nanoGPT's min_lr = lr / 10). */
    public static final int PRETRAIN_MIN_LR_DIVISOR = 10;
    /** AdamW weight decay in pretraining (nanoGPT's 0.1); fine-tuning starts from a trained model and uses none. */
    public static final double PRETRAIN_WEIGHT_DECAY = 0.1;
    /** Fine-tuning (SFT, reward model) has no weight decay: few steps from a pretrained model. */
    public static final double FINETUNE_WEIGHT_DECAY = 0.0;
    /** Pretraining's gradient accumulation: its batches fit in memory at the sizes this project trains. */
    public static final int PRETRAIN_GRAD_ACCUM = 1;
    /** Micro-batches averaged per held-out evaluation of pretraining: a steadier loss for little time. */
    public static final int PRETRAIN_EVAL_BATCHES = 4;
    /** Max global gradient norm in every supervised stage (GPT-2/nanoGPT). */
    public static final double GRAD_CLIP = 1.0;
    /** Warm-up is this fraction of a stage's steps (none below 10 steps), then cosine decay. */
    public static final int WARMUP_DIVISOR = 10;
    /** Held-out evaluations per supervised stage: enough points for a curve, few enough to stay cheap. */
    public static final int EVALUATIONS_PER_STAGE = 4;
    /** Weight of the reward-centring term in the reward model's loss (Eisenstein et al.): keeps scores near 0. */
    public static final double RM_CENTER_COEF = 0.01;
    /** The published reward model has no margin in its loss (InstructGPT); {@code train-rm --margin} adds one. */
    public static final boolean RM_USE_MARGIN = false;
    /** Sequences scored per reward-model batch: bounds the memory of one forward pass. */
    public static final int SCORER_BATCH = 32;
    /** Temperature of every sample a stage draws (re-centring, votes, evaluation, best-of-n): the policy as trained. */
    public static final double SAMPLING_TEMPERATURE = 1.0;
    /** Seed offset of SFT's samples on the evaluation prompts (re-centring and every win rate share them). */
    public static final long SFT_SAMPLES_SEED = 1;
    /** Seed offset of SFT's replies that the forum votes on: a draw of its own, apart from the evaluation's. */
    public static final long REPLY_VOTES_SEED = 3;
    /** Seed offset of best-of-n's samples: a draw of its own, apart from the evaluation's. */
    public static final long BEST_OF_N_SEED = 7;
    /**
     * Offsets of the seed that draws LoRA's A matrices (B starts at 0, so each view starts equal to its base): SFT's
     * adapters, the reward model's and every policy run's, so that no two views share a draw.
     */
    public static final long LORA_SFT_SEED = 11, LORA_RM_SEED = 12, LORA_POLICY_SEED = 13;
    /** Held-out comparisons DPO validates on, at most: its validation runs every evaluation step. */
    public static final int DPO_VAL_PAIRS = 512;
    /** Training prompts goal steering fits its soft prompt on, at most: steering converges on few prompts. */
    public static final int STEER_TRAIN_PROMPTS = 64;
    /** A resumable runner checkpoints every training stage this many times per run: little lost to a restart. */
    public static final int CHECKPOINTS_PER_RUN = 20;

    private Recipe() {
    }

    /** Checkpoint interval of a resumable run of {@code steps} steps ({@link #CHECKPOINTS_PER_RUN} per run). */
    public static int checkpointEvery(int steps) {
        return Math.max(1, steps / CHECKPOINTS_PER_RUN);
    }

    /** Warm-up steps of a supervised stage of {@code steps} steps. */
    public static int warmup(int steps) {
        return steps / WARMUP_DIVISOR;
    }

    /** Held-out evaluation interval of a supervised stage of {@code steps} steps (and always at its last step). */
    public static int evalEvery(int steps) {
        return Math.max(1, steps / EVALUATIONS_PER_STAGE);
    }

    /** Pretraining on the corpus, sequences of the model's whole context. */
    public static LmTrainer.Config pretrain(Experiment.Training t, int blockSize, long seed) {
        return new LmTrainer.Config(t.steps(), t.batchSize(), PRETRAIN_GRAD_ACCUM, blockSize,
                new LrSchedule(t.lr(), t.lr() / PRETRAIN_MIN_LR_DIVISOR, warmup(t.steps()), t.steps()),
                PRETRAIN_WEIGHT_DECAY, GRAD_CLIP, evalEvery(t.steps()), PRETRAIN_EVAL_BATCHES, seed);
    }

    /** SFT on (post → top-voted reply), {@code responseLength} reply tokens kept. */
    public static SftTrainer.Config sft(Experiment.Training t, int responseLength, long seed) {
        return new SftTrainer.Config(t.steps(), t.batchSize(), t.lr(), warmup(t.steps()), FINETUNE_WEIGHT_DECAY,
                GRAD_CLIP, responseLength, evalEvery(t.steps()), seed);
    }

    /** The reward model, Bradley–Terry on comparisons, {@code responseLength} reply tokens kept. */
    public static RewardTrainer.Config rewardModel(Experiment.Training t, int responseLength, boolean useMargin,
                                                   double centerCoef, long seed) {
        return new RewardTrainer.Config(t.steps(), t.batchSize(), t.lr(), warmup(t.steps()), FINETUNE_WEIGHT_DECAY,
                GRAD_CLIP, responseLength, useMargin, centerCoef, evalEvery(t.steps()), seed);
    }

    /** The reward model as a reward function of (prompt, response). */
    public static RewardModelScorer scorer(ScoreModel rm, Turns turns, int responseLength) {
        return new RewardModelScorer(rm, turns, responseLength, SCORER_BATCH);
    }
}
