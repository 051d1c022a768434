package plaudit.dsl

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import plaudit.UserError
import plaudit.data.RewardFunction
import plaudit.experiment.Experiment
import plaudit.experiment.ExperimentResult
import plaudit.experiment.ExperimentRunner
import plaudit.experiment.Runner
import plaudit.model.LoraSettings
import plaudit.train.ppo.PpoConfig
import plaudit.worker.RewardSource
import tech.tablesaw.api.StringColumn
import tech.tablesaw.api.Table
import java.util.function.UnaryOperator

/**
 * Describes an RLHF run; every block is optional and starts from the defaults of [Experiment.defaults] (a tiny run
 * on the synthetic forum):
 * ```
 * val exp = experiment {
 *     upvotes(reddit("RS_2023-01.zst", "RC_2023-01.zst")) { minScoreRatio = 2.0; split(90, 5, 5) }
 *     model { nLayer = 4; nHead = 4; nEmbd = 128 }  // or model { from("path/to/hf-folder") }
 *     lora { rank = 8; alpha = 16.0; targets("q_proj", "v_proj") }  // with a folder's model
 *     sft { steps = 200 }
 *     rewardModel { steps = 300 }
 *     ppo { klCoef = 0.05; adaptiveKl(target = 6.0); epochs = 4 }
 *     reward { rm -> 0.7 * rm + 0.3 * polite }
 *     device = cpu()
 * }
 * val result = exp.run()
 * ```
 */
fun experiment(block: ExperimentBuilder.() -> Unit): PlauditExperiment = ExperimentBuilder().apply(block).build()

/** Describes and runs an experiment at once: `plaudit { … }` is `experiment { … }.run()`. */
fun plaudit(block: ExperimentBuilder.() -> Unit): ExperimentResult = experiment(block).run()

/** The builder behind [experiment]; each block changes only the settings it names. */
@PlauditDsl
class ExperimentBuilder {
    private val d = Experiment.defaults()
    private var data = DataSource(Experiment.SYNTHETIC, listOf(), d.data().forum())
    private var rules = d.data().rules()
    private var tokenizer = d.tokenizer()
    private var model = d.model()
    private var lora = d.lora()
    private var pretrain = d.pretrain()
    private var sft = d.sft()
    private var rewardModel = d.rewardModel()
    private var ppo = d.ppo()
    private var evaluation = d.evaluation()
    private var rewardOf: ((RewardFunction) -> RewardFunction)? = null
    private var rewardSource: String? = null

    /** Where the run executes: [cpu] (default) or [gpu]. */
    var device: DeviceSpec = cpu()
    /**
     * Prompts and replies through the model folder's chat template when it has one (default); `false` for plain
     * text. Top level, as in the JSON spec: it is how every stage writes its text, not part of the weights.
     */
    var chatTemplate: Boolean = d.chatTemplate()
    /** Seeds the forum, every stage and the sampling. */
    var seed: Long = d.seed()
    /** Who runs it: [local] (default: this JVM, writing to a temporary folder). */
    var runner: Runner = local()

    /** Comparisons from the synthetic forum, whose gold preference is known (the default data). */
    fun syntheticForum(block: ForumBuilder.() -> Unit = {}): DataSource = plaudit.dsl.syntheticForum(block).also { data = it }

    /** Comparisons from votes: [source] with the SHP rules, changed in [block]. */
    fun upvotes(source: DataSource, block: RulesBuilder.() -> Unit = {}) {
        data = source
        rules = RulesBuilder(rules).apply(block).build()
    }

    /** The tokenizer: `tokenizer { vocabSize = 1024 }` or `tokenizer { file = "tokenizer.json" }`. */
    fun tokenizer(block: TokenizerBuilder.() -> Unit) {
        tokenizer = TokenizerBuilder(tokenizer).apply(block).build()
    }

    /**
     * The GPT shape the run pretrains (the vocabulary size comes from the tokenizer), or a Hugging Face folder to
     * start from: `model { from("path/to/hf-folder") }`.
     */
    fun model(block: ModelBuilder.() -> Unit) {
        model = ModelBuilder(model).apply(block).build()
    }

    /** LoRA for SFT, the reward model and the policy runs: `lora { rank = 8; targets("q_proj", "v_proj") }`. */
    fun lora(block: LoraBuilder.() -> Unit) {
        lora = LoraBuilder(lora).apply(block).build()
    }

    /** Language-model pretraining on the corpus; `steps = 0` skips it. */
    fun pretrain(block: TrainingBuilder<Experiment.Pretrain>.() -> Unit) {
        pretrain = TrainingBuilder("pretrain", Experiment.Pretrain.SETTINGS, pretrain).apply(block).build()
    }

    /** Supervised fine-tuning on (prompt, top-voted reply). */
    fun sft(block: TrainingBuilder<Experiment.Sft>.() -> Unit) {
        sft = TrainingBuilder("sft", Experiment.Sft.SETTINGS, sft).apply(block).build()
    }

    /** The Bradley–Terry reward model, initialised from the SFT model. */
    fun rewardModel(block: RewardModelBuilder.() -> Unit) {
        rewardModel = RewardModelBuilder(rewardModel).apply(block).build()
    }

    /** PPO from the SFT model. */
    fun ppo(block: PpoBuilder.() -> Unit) {
        ppo = PpoBuilder(ppo).apply(block).build()
    }

    /** What is measured after training (gold, best-of-n). */
    fun evaluation(block: EvaluationBuilder.() -> Unit) {
        evaluation = EvaluationBuilder(evaluation).apply(block).build()
    }

    /**
     * The reward PPO and best-of-n optimise, given the trained reward model `rm` (default: `rm` alone), e.g.
     * `reward { rm -> clamp(0.7 * rm + 0.3 * polite, -3.0, 3.0) }`.
     */
    fun reward(of: (rm: RewardFunction) -> RewardFunction) {
        rewardOf = of
        rewardSource = null
    }

    /**
     * The reward as Kotlin source, a lambda from the reward model: the form a [remote] worker can run, e.g.
     * `rewardSource("""{ rm -> 0.7 * rm + 0.3 * reward("polite") { _, r -> if ("please" in r) 1.0 else 0.0 } }""")`.
     * The worker compiles it with the DSL imported; run locally it needs the Kotlin compiler (bin/plaudit run).
     */
    fun rewardSource(source: String) {
        rewardSource = source
        rewardOf = null
    }

    fun build(): PlauditExperiment = PlauditExperiment(
        Experiment(
            Experiment.Data(data.source, data.files, data.forum, data.columns, rules), tokenizer, model, lora,
            chatTemplate, pretrain, sft, rewardModel, ppo, evaluation, device.spec, seed
        ), rewardOf, runner, rewardSource
    )
}

/** An experiment ready to run: the Java [experiment] (plain data), the reward written as code, and the runner. */
class PlauditExperiment(
    val experiment: Experiment,
    private val rewardOf: ((RewardFunction) -> RewardFunction)?,
    val runner: Runner,
    /** The reward as Kotlin source ([ExperimentBuilder.rewardSource]); then [rewardOf] is null. */
    val rewardSource: String? = null,
) {
    /** Runs every stage on [runner]; the result holds tables, plots and checkpoint paths. */
    fun run(): ExperimentResult = runner.run(experiment, reward())

    /**
     * Trains up to the reward model on a [LocalRunner] and returns the session (close it, e.g. with `use`), on
     * which more PPO runs share the same SFT and reward model: `exp.train().use { s -> s.ppo("beta0") { fixedKl(0.0) } }`.
     */
    fun train(): ExperimentRunner.Session {
        val local = runner as? LocalRunner ?: throw UserError("train() needs runner = local(…)")
        return local.train(experiment, reward())
    }

    private fun reward(): UnaryOperator<RewardFunction>? =
        rewardSource?.let { RewardSource(it) } ?: rewardOf?.let { f -> UnaryOperator { rm -> f(rm) } }

    /** The experiment as JSON (what a remote runner receives). */
    fun toJson(): String = experiment.toJson()

    /**
     * Every effective setting, defaults included, as a (setting, value) table named as the DSL names them
     * (`ppo.epochs`, `ppo.adaptiveKl.target`).
     */
    fun settings(): Table {
        val key = StringColumn.create("setting")
        val value = StringColumn.create("value")
        val dslNames = mapOf("ppo" to PpoConfig.SETTINGS, "lora" to LoraSettings.SETTINGS)
        fun walk(prefix: String, n: JsonNode) {
            if (n.isObject) n.fields().forEach { (k, v) ->
                walk(if (prefix.isEmpty()) k else "$prefix.${dslNames[prefix]?.dslNameOf(k) ?: k}", v)
            }
            else { key.append(prefix); value.append(if (n.isTextual) n.asText() else n.toString()) }
        }
        walk("", ObjectMapper().readTree(toJson()))
        return Table.create("experiment settings", key, value)
    }

    /** The effective settings written as the DSL. */
    override fun toString(): String {
        val e = experiment
        val data = if (e.data().synthetic()) ForumBuilder(e.data().forum()).toString() else DataSource(e.data().source(), e.data().files(), columns = e.data().columns()).toString()
        return listOf(
            "upvotes($data) ${RulesBuilder(e.data().rules())}",
            TokenizerBuilder(e.tokenizer()).toString(),
            ModelBuilder(e.model()).toString(),
            LoraBuilder(e.lora()).toString(),
            "chatTemplate = ${e.chatTemplate()}",
            TrainingBuilder("pretrain", Experiment.Pretrain.SETTINGS, e.pretrain()).toString(),
            TrainingBuilder("sft", Experiment.Sft.SETTINGS, e.sft()).toString(),
            RewardModelBuilder(e.rewardModel()).toString(),
            PpoBuilder(e.ppo()).toString(),
            EvaluationBuilder(e.evaluation()).toString(),
            "reward { " + (if (rewardSource != null) "source" else if (rewardOf == null) "rm" else "custom") + " }",
            "device = ${e.device()}; seed = ${e.seed()}; runner = $runner",
        ).joinToString("\n    ", "experiment {\n    ", "\n}")
    }
}

/**
 * Another PPO run in a trained session, from the experiment's PPO settings changed by [block], optionally against
 * another [reward] made from the same reward model: `s.ppo("polite", reward = { rm -> rm + polite }) { steps = 20 }`.
 */
fun ExperimentRunner.Session.ppo(
    name: String,
    compareWithSft: Boolean = false,
    reward: ((rm: RewardFunction) -> RewardFunction)? = null,
    block: PpoBuilder.() -> Unit = {},
): Table {
    val cfg = PpoBuilder(experiment().ppo()).apply(block).build()
    return if (reward == null) ppo(name, cfg, compareWithSft) else ppo(name, cfg, compareWithSft, UnaryOperator { rm -> reward(rm) })
}
