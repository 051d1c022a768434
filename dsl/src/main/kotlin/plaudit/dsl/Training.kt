package plaudit.dsl

import plaudit.Setting
import plaudit.Settings
import plaudit.experiment.Experiment
import plaudit.model.LoraSettings
import plaudit.train.ppo.PpoConfig

/**
 * A DSL block over one config's [Settings]: each subclass declares a property per setting (`var steps: Int by v`),
 * which reads and writes [v]; the defaults, meanings and validation are the settings' own, defined once (the same as
 * the CLI's). [build] validates, [help] explains every setting, [toString] prints the block as the DSL.
 */
@PlauditDsl
abstract class SettingsBuilder<C : Record>(private val block: String, private val settings: Settings<C>, from: C) {
    /** The values by the DSL's names. */
    protected val v: MutableMap<String, Any?> = settings.dslValues(from)

    fun build(): C = settings.fromDsl(v)

    /** Every setting with its default and meaning. */
    fun help(): String = settingsHelp(settings)

    override fun toString(): String = settingsText(block, settings, v)
}

/**
 * A supervised stage (pretraining, SFT): `sft { steps = 200; lr = 3e-4 }`, on [Experiment.Pretrain.SETTINGS] or
 * [Experiment.Sft.SETTINGS] (the same as `plaudit train-lm`'s and `plaudit sft`'s).
 */
class TrainingBuilder<C : Record>(stage: String, settings: Settings<C>, from: C) : SettingsBuilder<C>(stage, settings, from) {
    var steps: Int by v
    var batchSize: Int by v; var lr: Double by v
}

/**
 * The Bradley–Terry reward model: `rewardModel { steps = 300; readout = "mean"; sftReplies = 2 }`, on
 * [Experiment.RewardModel.SETTINGS] (the same as `plaudit train-rm`'s).
 */
class RewardModelBuilder(from: Experiment.RewardModel = Experiment.RewardModel.SETTINGS.defaults()) :
    SettingsBuilder<Experiment.RewardModel>("rewardModel", Experiment.RewardModel.SETTINGS, from) {
    var steps: Int by v; var batchSize: Int by v; var lr: Double by v
    /** `"last"`: the score at the last token (the published recipe); `"mean"`: the mean score over positions. */
    var readout: String by v
    /** Synthetic forum only: SFT replies per training prompt that the forum's readers vote on, and by how many. */
    var sftReplies: Int by v; var replyReaders: Int by v
}

/**
 * LoRA for every model the experiment trains: `lora { rank = 8; alpha = 16.0; dropout = 0.05; targets("q_proj", "v_proj") }`,
 * on [LoraSettings.SETTINGS] (the same as `--lora-rank`, `--lora-alpha`, `--lora-dropout`, `--lora-targets`); rank 0,
 * the default, trains every weight.
 */
class LoraBuilder(from: LoraSettings = LoraSettings.defaults()) :
    SettingsBuilder<LoraSettings>("lora", LoraSettings.SETTINGS, from) {
    var rank: Int by v; var alpha: Double by v; var dropout: Double by v
    /** Comma-separated module names, or `all-linear` (every linear projection of the decoder layers). */
    var targets: String by v

    /** The modules to adapt: `targets("q_proj", "v_proj")`, or `targets(LoraSettings.ALL_LINEAR)`. */
    fun targets(vararg modules: String) {
        targets = modules.joinToString(",")
    }
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
 * PPO's hyperparameters: `ppo { steps = 40; klCoef = 0.05; adaptiveKl(target = 6.0); epochs = 4 }`. Each property
 * reads and writes its [Setting] in [PpoConfig.SETTINGS], where its default, meaning and validation are
 * defined once (the same as `plaudit ppo`'s); [toString] prints them as the DSL, [help] explains them.
 */
class PpoBuilder(from: PpoConfig = PpoConfig.defaults()) : SettingsBuilder<PpoConfig>("ppo", PpoConfig.SETTINGS, from) {
    var steps: Int by v; var batchSize: Int by v; var miniBatchSize: Int by v; var epochs: Int by v
    var lr: Double by v; var annealLr: Boolean by v; var averageTail: Double by v
    /** Also the length of SFT's, the reward model's and the evaluation's responses in an experiment. */
    var responseLength: Int by v; var temperature: Double by v
    var klCoef: Double by v
    var clipRange: Double by v; var clipRangeValue: Double by v; var vfCoef: Double by v; var entCoef: Double by v
    var gamma: Double by v; var lam: Double by v
    var whitenRewards: Boolean by v; var rewardClip: Double by v; var missingEosPenalty: Double by v
    var gradClip: Double by v; var sharedTrunk: Boolean by v
    var sampleEvery: Int by v; var seed: Long by v

    /** Ziegler et al.'s adaptive KL controller, starting at [klCoef], aiming at [target] nats per response. */
    fun adaptiveKl(target: Double = PpoConfig.TARGET_KL.defaultValue(), horizon: Double = PpoConfig.KL_HORIZON.defaultValue()) {
        v["adaptiveKl"] = true
        v["adaptiveKl.target"] = target
        v["adaptiveKl.horizon"] = horizon
    }

    /** A fixed KL coefficient β (0 = no KL penalty: the policy is free to over-optimise). */
    fun fixedKl(beta: Double) {
        v["adaptiveKl"] = false
        klCoef = beta
    }

    /** The settings as the DSL writes them; the adaptive controller as its call, only when it is on. */
    override fun toString(): String = settingsText("ppo", PpoConfig.SETTINGS, v) { name, value ->
        when {
            name == "adaptiveKl" -> if (value == true) "adaptiveKl(target = ${v["adaptiveKl.target"]}, horizon = ${v["adaptiveKl.horizon"]})" else null
            name.startsWith("adaptiveKl.") -> null
            else -> "$name = ${dslLiteral(value)}"
        }
    }
}

/** `block { name = value; … }` from [values] by the DSL's names, each setting written by [write] (null: left out). */
internal fun <C : Record> settingsText(
    block: String,
    settings: Settings<C>,
    values: Map<String, Any?>,
    write: (name: String, value: Any?) -> String? = { name, value -> "$name = ${dslLiteral(value)}" },
): String = "$block { ${settingsBody(settings, values, write)} }"

/** `name = value; …` from [values] by the DSL's names, each setting written by [write] (null: left out). */
internal fun <C : Record> settingsBody(
    settings: Settings<C>,
    values: Map<String, Any?>,
    write: (name: String, value: Any?) -> String? = { name, value -> "$name = ${dslLiteral(value)}" },
): String = settings.list().mapNotNull { write(it.dslName(), values[it.dslName()]) }.joinToString("; ")

/** A value as Kotlin source: strings and choices quoted. */
internal fun dslLiteral(value: Any?): String = when (value) {
    is String -> "\"$value\""
    is Enum<*> -> "\"${Setting.text(value)}\""
    else -> value.toString()
}

/** One line per setting: the DSL's name, the default and the meaning. */
internal fun <C : Record> settingsHelp(settings: Settings<C>): String =
    settings.list().joinToString("\n") { "${it.dslName()} = ${dslLiteral(it.defaultValue())}: ${it.doc()}" }

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
