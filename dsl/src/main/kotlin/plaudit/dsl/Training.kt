package plaudit.dsl

import plaudit.experiment.Experiment
import plaudit.train.ppo.PpoConfig

/** A supervised stage (pretraining, SFT): `sft { steps = 200; lr = 3e-4 }`. */
@PlauditDsl
class TrainingBuilder(private val stage: String, from: Experiment.Training) {
    /** Optimiser steps (0 skips pretraining). */
    var steps: Int = from.steps()
    /** Sequences (or pairs) per step. */
    var batchSize: Int = from.batchSize()
    /** Peak learning rate (warm-up over the first tenth of the steps). */
    var lr: Double = from.lr()

    fun build(): Experiment.Training = Experiment.Training(steps, batchSize, lr)

    override fun toString(): String = "$stage { steps = $steps; batchSize = $batchSize; lr = $lr }"
}

/**
 * The Bradley–Terry reward model: `rewardModel { steps = 300; readout = "mean"; sftReplies = 2 }`. Meanings on
 * [Experiment.RewardModel].
 */
@PlauditDsl
class RewardModelBuilder(from: Experiment.RewardModel) {
    /** Optimiser steps. */
    var steps: Int = from.steps()
    /** Comparisons per step. */
    var batchSize: Int = from.batchSize()
    /** Peak learning rate (warm-up over the first tenth of the steps). */
    var lr: Double = from.lr()
    /** `"last"`: the score at the last token (the published recipe); `"mean"`: the mean score over positions. */
    var readout: String = from.readout()
    /** Synthetic forum only: SFT replies per training prompt that the forum's readers vote on (0 = none, else >= 2). */
    var sftReplies: Int = from.sftReplies()
    /** Readers who vote on each of those replies. */
    var replyReaders: Int = from.replyReaders()

    fun build(): Experiment.RewardModel = Experiment.RewardModel(steps, batchSize, lr, readout, sftReplies, replyReaders)

    override fun toString(): String = "rewardModel { steps = $steps; batchSize = $batchSize; lr = $lr; " +
        "readout = \"$readout\"; sftReplies = $sftReplies; replyReaders = $replyReaders }"
}

/** The tokenizer: a byte-level BPE trained on the corpus, or one read from a file. */
@PlauditDsl
class TokenizerBuilder(from: Experiment.Tokenizer) {
    /** Vocabulary size of the BPE trained on the corpus. */
    var vocabSize: Int = from.vocabSize()
    /** A `tokenizer.json`, or a GPT-2 `encoder.json` with `vocab.bpe` beside it; null = train one. */
    var file: String? = from.file()

    fun build(): Experiment.Tokenizer = Experiment.Tokenizer(vocabSize, file)

    override fun toString(): String = "tokenizer { vocabSize = $vocabSize; file = $file }"
}

/**
 * PPO's hyperparameters; defaults and sources on [PpoConfig]:
 * ```
 * ppo { steps = 40; klCoef = 0.05; adaptiveKl(target = 6.0); epochs = 4 }
 * ```
 */
@PlauditDsl
class PpoBuilder(from: PpoConfig = PpoConfig.defaults()) {
    /** PPO iterations (rollout + optimisation). */
    var steps: Int = from.steps()
    /** Prompts (episodes) per rollout. */
    var batchSize: Int = from.batchSize()
    /** Episodes per gradient step; must divide [batchSize]. */
    var miniBatchSize: Int = from.miniBatchSize()
    /** Passes over each rollout batch. */
    var epochs: Int = from.ppoEpochs()
    /** AdamW learning rate (the first step's when [annealLr] is on). */
    var lr: Double = from.lr()
    /** Decay the learning rate linearly to 0 over [steps] (CleanRL's `anneal_lr`). */
    var annealLr: Boolean = from.annealLr()
    /** The run's policy is the mean of its weights over this last fraction of [steps] (0 = the last iterate). */
    var averageTail: Double = from.averageTail()
    /** Most tokens per response (also used by SFT, the reward model and the evaluation). */
    var responseLength: Int = from.responseLength()
    /** Rollout sampling temperature. */
    var temperature: Double = from.temperature()
    /** β of the per-token KL penalty (initial β when [adaptiveKl] is on). */
    var klCoef: Double = from.klCoef()
    /** ε of the clipped surrogate. */
    var clipRange: Double = from.clipRange()
    /** ε of the clipped value loss. */
    var clipRangeValue: Double = from.clipRangeValue()
    /** Weight of the value loss. */
    var vfCoef: Double = from.vfCoef()
    /** Weight of the entropy bonus (0 = off). */
    var entCoef: Double = from.entCoef()
    /** Discount. */
    var gamma: Double = from.gamma()
    /** GAE λ. */
    var lam: Double = from.lam()
    /** Whiten per-token rewards before GAE. */
    var whitenRewards: Boolean = from.whitenRewards()
    /** Clip scores to ± this before use; 0 = off. */
    var rewardClip: Double = from.rewardClip()
    /** Subtracted from the score of a response that did not end with end-of-text; 0 = off. */
    var missingEosPenalty: Double = from.missingEosPenalty()
    /** Max global gradient norm. */
    var gradClip: Double = from.gradClip()
    /** Value head on the policy's own trunk instead of a separate value network (faster, one model less). */
    var sharedTrunk: Boolean = from.sharedTrunk()
    /** Keep a table of samples every this many steps. */
    var sampleEvery: Int = from.sampleEvery()
    /** Seeds prompts, sampling and minibatch order. */
    var seed: Long = from.seed()
    private var adaptive: Boolean = from.adaptiveKl()
    private var targetKl: Double = from.targetKl()
    private var klHorizon: Double = from.klHorizon()

    /** Ziegler et al.'s adaptive KL controller, starting at [klCoef], aiming at [target] nats per response. */
    fun adaptiveKl(target: Double = 6.0, horizon: Double = 10_000.0) {
        adaptive = true
        targetKl = target
        klHorizon = horizon
    }

    /** A fixed KL coefficient β (0 = no KL penalty: the policy is free to over-optimise). */
    fun fixedKl(beta: Double) {
        adaptive = false
        klCoef = beta
    }

    fun build(): PpoConfig = PpoConfig(steps, batchSize, miniBatchSize, epochs, lr, annealLr, averageTail, responseLength, temperature, klCoef,
        adaptive, targetKl, klHorizon, clipRange, clipRangeValue, vfCoef, entCoef, gamma, lam, whitenRewards, rewardClip,
        missingEosPenalty, gradClip, sharedTrunk, sampleEvery, seed)

    override fun toString(): String =
        "ppo { steps = $steps; batchSize = $batchSize; miniBatchSize = $miniBatchSize; epochs = $epochs; lr = $lr; annealLr = $annealLr; averageTail = $averageTail; " +
            "responseLength = $responseLength; temperature = $temperature; klCoef = $klCoef; " +
            (if (adaptive) "adaptiveKl(target = $targetKl, horizon = $klHorizon); " else "") +
            "clipRange = $clipRange; clipRangeValue = $clipRangeValue; vfCoef = $vfCoef; entCoef = $entCoef; " +
            "gamma = $gamma; lam = $lam; whitenRewards = $whitenRewards; rewardClip = $rewardClip; " +
            "missingEosPenalty = $missingEosPenalty; gradClip = $gradClip; sharedTrunk = $sharedTrunk; sampleEvery = $sampleEvery; seed = $seed }"
}

/** What is measured after training: `evaluation { prompts = 64; bestOfN(1, 2, 4, 8, 16) }`. */
@PlauditDsl
class EvaluationBuilder(from: Experiment.Evaluation) {
    /** Measure against the synthetic forum's gold preference (real data has none). */
    var gold: Boolean = from.gold()
    /** Held-out prompts for the SFT-vs-PPO comparison and the reward model's re-centring. */
    var prompts: Int = from.prompts()
    /** Responses per prompt and policy in the SFT-vs-PPO comparison (more: a less noisy win rate). */
    var samples: Int = from.samples()
    /** Held-out prompts for best-of-n. */
    var bestOfNPrompts: Int = from.bestOfNPrompts()
    private var ns: List<Int> = from.bestOfN()

    /** The n values of best-of-n from SFT (none = skip best-of-n). */
    fun bestOfN(vararg n: Int) {
        ns = n.toList()
    }

    fun build(): Experiment.Evaluation = Experiment.Evaluation(gold, prompts, samples, ns, bestOfNPrompts)

    override fun toString(): String =
        "evaluation { gold = $gold; prompts = $prompts; samples = $samples; bestOfN(${ns.joinToString()}); bestOfNPrompts = $bestOfNPrompts }"
}
