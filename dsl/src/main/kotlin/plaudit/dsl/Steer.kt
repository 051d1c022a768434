package plaudit.dsl

import plaudit.Setting
import plaudit.UserError
import plaudit.model.Checkpoint
import plaudit.model.Devices
import plaudit.sim.GoldPreference
import plaudit.train.steer.SteerConfig
import plaudit.train.steer.SteerRun
import plaudit.train.steer.SteerPrompts
import plaudit.train.steer.SteerResult
import plaudit.train.steer.Steering
import tech.tablesaw.api.Table
import java.nio.file.Path

/**
 * Goal steering with frozen weights, as `plaudit steer` does it:
 * ```
 * val s = steer { checkpoint = "runs/study/sft/checkpoint"; target = " the trick is"; softTokens = 8 }
 * s.table
 * ```
 * The steering settings read and write [SteerConfig.SETTINGS] and [SteerRun.SETTINGS], where each one's default,
 * meaning and validation are defined once (the same as `plaudit steer`'s); [toString] prints them, [help] explains
 * them. Prompts: [prompts] (a quarter held out), else the pairs/ folder of the run the checkpoint belongs to.
 */
@PlauditDsl
class SteerBuilder(from: SteerConfig = SteerConfig.defaults()) {
    private val c: MutableMap<String, Any?> = SteerConfig.SETTINGS.dslValues(from)
    private val r: MutableMap<String, Any?> = SteerRun.SETTINGS.dslValues(SteerRun.SETTINGS.defaults())

    /** A checkpoint directory (a Hugging Face GPT-2 folder). */
    var checkpoint: String = ""
    /** The text to make likelier right after each prompt. */
    var target: String = ""
    var method: String by r
    var maxPrompts: Int by r
    /** `"after"` or `"before"`; checked as it is set. */
    var position: String
        get() = Setting.text(c["position"])
        set(value) { c["position"] = SteerConfig.POSITION.parse(value) }
    var softTokens: Int by c
    var steps: Int by c
    var lr: Double by c
    var prefixTokens: Int by c
    var gcgSteps: Int by c
    var gcgTopK: Int by c
    var gcgCandidates: Int by c
    var batchSize: Int by c
    var samplesPerPrompt: Int by c
    var maxNewTokens: Int by c
    var seed: Long by c
    /** Prompts to use instead of the run's pairs (a seeded quarter is held out); empty = the run's. */
    var prompts: List<String> = emptyList()
    /** Score samples with the synthetic forum's gold preference; null = when the prompts come from the forum. */
    var gold: Boolean? = null
    var device: DeviceSpec = cpu()

    fun config(): SteerConfig = SteerConfig.SETTINGS.fromDsl(c)

    /** Every setting with its default and meaning. */
    fun help(): String = settingsHelp(SteerRun.SETTINGS) + "\n" + settingsHelp(SteerConfig.SETTINGS)

    /** Runs the methods on the checkpoint's model. */
    fun run(): SteeringResult {
        if (checkpoint.isEmpty()) throw UserError("steer: set checkpoint = \"DIR\" (a model checkpoint)")
        val cfg = config()
        val what = SteerRun.SETTINGS.fromDsl(r)
        val ckpt = Checkpoint.read(Path.of(checkpoint))
        val tok = ckpt.tokenizer()
        val sets = if (prompts.isNotEmpty()) SteerPrompts.split(prompts.distinct(), what.maxPrompts(), seed, "steer { prompts }")
        else SteerPrompts.ofRun(Path.of(checkpoint), what.maxPrompts())
        val goldFn = if (gold ?: sets.synthetic()) GoldPreference() else null
        val results = ckpt.model(Devices.parse(device.spec)).use { model ->
            Steering.run(model, tok, sets.train(), sets.heldOut(), target, cfg, what.methods(), goldFn)
        }
        return SteeringResult(target, results)
    }

    override fun toString(): String =
        "steer { checkpoint = \"$checkpoint\"; target = \"$target\"; " +
            settingsBody(SteerRun.SETTINGS, r) + "; " + settingsBody(SteerConfig.SETTINGS, c) +
            "; gold = $gold; device = $device }"
}

/** What `steer { … }` found: one [SteerResult] per method and the same as a table (the columns of steer.csv). */
class SteeringResult(val target: String, val results: List<SteerResult>) {
    val table: Table = Steering.table(target, results)

    override fun toString(): String = table.print()
}

/** Learns a steering prefix for [SteerBuilder.target] and measures it; see [SteerBuilder]. */
fun steer(block: SteerBuilder.() -> Unit): SteeringResult = SteerBuilder().apply(block).run()
