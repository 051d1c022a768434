package plaudit.dsl

import plaudit.model.Devices
import plaudit.report.Plot
import plaudit.experiment.ExperimentRunner
import plaudit.experiment.Methods
import plaudit.experiment.Study
import plaudit.train.DpoTrainer
import plaudit.train.rloo.RlooConfig
import tech.tablesaw.api.Table
import java.nio.file.Path

/**
 * DPO's hyperparameters; defaults and sources on [DpoTrainer.Config] (β = 0.1, Rafailov et al. 2023 / TRL):
 * ```
 * s.dpo("dpo") { beta = 0.1; steps = 100 }
 * ```
 */
@PlauditDsl
class DpoBuilder(from: DpoTrainer.Config = DpoTrainer.Config.defaults()) {
    /** Optimizer steps. */
    var steps: Int = from.steps()
    /** Comparisons per step. */
    var batchSize: Int = from.batchSize()
    /** Peak learning rate (10 % warm-up, cosine to a tenth). */
    var lr: Double = from.lr()
    /** β: strength of the implicit KL constraint to the SFT reference. */
    var beta: Double = from.beta()
    /** Max global gradient norm. */
    var gradClip: Double = from.gradClip()
    /** Most tokens kept per reply. */
    var maxResponse: Int = from.maxResponse()
    /** Validation interval in steps (and at the end). */
    var evalEvery: Int = from.evalEvery()
    /** Seeds the batch order. */
    var seed: Long = from.seed()

    fun build(): DpoTrainer.Config = DpoTrainer.Config(steps, batchSize, lr, beta, gradClip, maxResponse, evalEvery, seed)

    override fun toString(): String =
        "dpo { steps = $steps; batchSize = $batchSize; lr = $lr; beta = $beta; gradClip = $gradClip; " +
            "maxResponse = $maxResponse; evalEvery = $evalEvery; seed = $seed }"
}

/**
 * RLOO's hyperparameters; defaults and sources on [RlooConfig] (k = 4, Ahmadian et al. 2024; β = 0.05, TRL):
 * ```
 * s.rloo("rloo") { k = 4; steps = 40 }
 * ```
 */
@PlauditDsl
class RlooBuilder(from: RlooConfig = RlooConfig.defaults()) {
    /** Iterations (rollout + optimisation). */
    var steps: Int = from.steps()
    /** Distinct prompts per rollout; each is sampled [k] times. */
    var prompts: Int = from.prompts()
    /** Samples per prompt (≥ 2): the leave-one-out baseline is the mean of the other k − 1. */
    var k: Int = from.k()
    /** Passes over each rollout (1 = REINFORCE; more = PPO-clipped ratio, like TRL). */
    var epochs: Int = from.epochs()
    /** Episodes per gradient step; must divide prompts·k. */
    var miniBatchSize: Int = from.miniBatchSize()
    /** AdamW learning rate (constant). */
    var lr: Double = from.lr()
    /** Most tokens per response. */
    var responseLength: Int = from.responseLength()
    /** Rollout sampling temperature. */
    var temperature: Double = from.temperature()
    /** β of reward = score − β·KL(response ‖ SFT). */
    var klCoef: Double = from.klCoef()
    /** ε of the clipped ratio. */
    var clipRange: Double = from.clipRange()
    /** Whiten the advantages per batch. */
    var normalizeAdvantages: Boolean = from.normalizeAdvantages()
    /** Clip scores to ± this before use; 0 = off. */
    var rewardClip: Double = from.rewardClip()
    /** Subtracted from the score of a response that did not end with end-of-text; 0 = off. */
    var missingEosPenalty: Double = from.missingEosPenalty()
    /** Max global gradient norm. */
    var gradClip: Double = from.gradClip()
    /** Keep a table of samples every this many steps. */
    var sampleEvery: Int = from.sampleEvery()
    /** Seeds prompts, sampling and minibatch order. */
    var seed: Long = from.seed()

    fun build(): RlooConfig = RlooConfig(steps, prompts, k, epochs, miniBatchSize, lr, responseLength, temperature,
        klCoef, clipRange, normalizeAdvantages, rewardClip, missingEosPenalty, gradClip, sampleEvery, seed)

    override fun toString(): String =
        "rloo { steps = $steps; prompts = $prompts; k = $k; epochs = $epochs; miniBatchSize = $miniBatchSize; " +
            "lr = $lr; responseLength = $responseLength; temperature = $temperature; klCoef = $klCoef; " +
            "clipRange = $clipRange; normalizeAdvantages = $normalizeAdvantages; rewardClip = $rewardClip; " +
            "missingEosPenalty = $missingEosPenalty; gradClip = $gradClip; sampleEvery = $sampleEvery; seed = $seed }"
}

/**
 * A DPO run in a trained session (reference = its SFT model), replies cut at the experiment's response length and
 * seeded by the experiment; returns its metrics (`rewards/margins`, …) and puts `NAME_gold`, `NAME_kl`, … in the
 * summary: `s.dpo("dpo") { beta = 0.1 }`.
 */
fun ExperimentRunner.Session.dpo(name: String = "dpo", block: DpoBuilder.() -> Unit = {}): Table {
    val start = DpoBuilder().apply { maxResponse = experiment().ppo().responseLength(); seed = experiment().seed() }
    return dpo(name, start.apply(block).build())
}

/**
 * An RLOO run in a trained session against the experiment's reward, at the experiment's response length and seed;
 * returns its metrics (`objective/kl`, `objective/gold`, …): `s.rloo("rloo") { k = 4 }`.
 */
fun ExperimentRunner.Session.rloo(name: String = "rloo", block: RlooBuilder.() -> Unit = {}): Table {
    val start = RlooBuilder().apply { responseLength = experiment().ppo().responseLength(); seed = experiment().seed() }
    return rloo(name, start.apply(block).build())
}

/**
 * The methods comparison (SFT, best-of-n, PPO, DPO, RLOO on gold vs KL) at a preset scale (`"tiny"`, `"small"`,
 * `"full"`); returns the methods table, also written to `out/methods.csv` with the plot `out/plots/methods.svg`.
 */
fun methods(out: String, scale: String = "tiny", device: String = "cpu", seed: Long = 1): Table {
    val sc = Study.Scale.values().firstOrNull { it.name.equals(scale, ignoreCase = true) }
        ?: throw plaudit.UserError("methods: scale \"$scale\" is unknown; use tiny, small or full")
    return Methods(Path.of(out), Methods.Settings.of(sc), Devices.parse(device), seed).run()
}

/** Gold vs KL of a methods table (what [methods] returns, or `methods.csv` read back): best-of-n as a curve, the rest as points. */
fun methodsPlot(table: Table): Plot = Methods.plot(Methods.rows(table))
