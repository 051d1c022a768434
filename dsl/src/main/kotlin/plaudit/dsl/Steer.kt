package plaudit.dsl

import plaudit.model.Checkpoint
import plaudit.model.Devices
import plaudit.sim.GoldPreference
import plaudit.train.steer.SoftPrefix
import plaudit.train.steer.SteerConfig
import plaudit.train.steer.SteerPrompts
import plaudit.train.steer.SteerResult
import plaudit.train.steer.Steering
import tech.tablesaw.api.Table
import java.nio.file.Path

/**
 * Goal steering with frozen weights, as `plaudit steer` does it; defaults on [SteerConfig] (see [toString]):
 * ```
 * val s = steer { checkpoint = "runs/study/sft/checkpoint"; target = " the trick is"; softTokens = 8 }
 * s.table
 * ```
 * Prompts: [prompts] (a quarter held out), else the pairs/ folder of the run the checkpoint belongs to.
 */
@PlauditDsl
class SteerBuilder(from: SteerConfig = SteerConfig.defaults()) {
    /** A checkpoint directory (a Hugging Face GPT-2 folder). */
    var checkpoint: String = ""
    /** The text to make likelier right after each prompt. */
    var target: String = ""
    /** `"soft"`, `"discrete"` or `"both"`. */
    var method: String = "both"
    /** Where the prefix goes: `"before"` the prompt or `"after"` it, right before the reply. */
    var position: String = from.position().key()
    /** Soft prompt vectors. */
    var softTokens: Int = from.softTokens()
    /** Adam steps on the soft prompt. */
    var steps: Int = from.steps()
    /** Adam learning rate of the soft prompt. */
    var lr: Double = from.lr()
    /** Tokens of the discrete prefix. */
    var prefixTokens: Int = from.prefixTokens()
    /** Greedy coordinate gradient iterations. */
    var gcgSteps: Int = from.gcgSteps()
    /** Training prompts per step. */
    var batchSize: Int = from.batchSize()
    /** Samples per held-out prompt for perplexity, KL and gold. */
    var samplesPerPrompt: Int = from.samplesPerPrompt()
    /** Most tokens per sample. */
    var maxNewTokens: Int = from.maxNewTokens()
    /** Most training and most held-out prompts. */
    var maxPrompts: Int = 48
    /** Prompts to use instead of the run's pairs (a seeded quarter is held out); empty = the run's. */
    var prompts: List<String> = emptyList()
    /** Score samples with the synthetic forum's gold preference; null = when the prompts come from the forum. */
    var gold: Boolean? = null
    var device: DeviceSpec = cpu()
    var seed: Long = from.seed()

    fun config(): SteerConfig = SteerConfig(softTokens, steps, lr, prefixTokens, gcgSteps, SteerConfig.defaults().gcgTopK(),
        SteerConfig.defaults().gcgCandidates(), batchSize, samplesPerPrompt, maxNewTokens, seed,
        SoftPrefix.Position.valueOf(position.uppercase()))

    /** Runs the methods on the checkpoint's model. */
    fun run(): SteeringResult {
        if (checkpoint.isEmpty()) throw plaudit.UserError("steer: set checkpoint = \"DIR\" (a model checkpoint)")
        if (position !in listOf("before", "after")) throw plaudit.UserError("steer: position = \"$position\"; use \"before\" or \"after\"")
        val ckpt = Checkpoint.read(Path.of(checkpoint))
        val tok = ckpt.tokenizer()
        val sets = if (prompts.isNotEmpty()) SteerPrompts.split(prompts.distinct(), maxPrompts, seed, "steer { prompts }")
        else SteerPrompts.ofRun(Path.of(checkpoint), maxPrompts)
        val goldFn = if (gold ?: sets.synthetic()) GoldPreference() else null
        val results = ckpt.model(Devices.parse(device.spec)).use { model ->
            Steering.run(model, tok, sets.train(), sets.heldOut(), target, config(), Steering.Method.parse(method), goldFn)
        }
        return SteeringResult(target, results)
    }

    override fun toString(): String =
        "steer { checkpoint = \"$checkpoint\"; target = \"$target\"; method = \"$method\"; position = \"$position\"; " +
            "softTokens = $softTokens; steps = $steps; lr = $lr; prefixTokens = $prefixTokens; gcgSteps = $gcgSteps; " +
            "batchSize = $batchSize; samplesPerPrompt = $samplesPerPrompt; maxNewTokens = $maxNewTokens; " +
            "maxPrompts = $maxPrompts; gold = $gold; device = $device; seed = $seed }"
}

/** What `steer { … }` found: one [SteerResult] per method and the same as a table (the columns of steer.csv). */
class SteeringResult(val target: String, val results: List<SteerResult>) {
    val table: Table = Steering.table(target, results)

    override fun toString(): String = table.print()
}

/** Learns a steering prefix for [SteerBuilder.target] and measures it; see [SteerBuilder]. */
fun steer(block: SteerBuilder.() -> Unit): SteeringResult = SteerBuilder().apply(block).run()
