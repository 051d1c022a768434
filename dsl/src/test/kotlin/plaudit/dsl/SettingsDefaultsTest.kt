package plaudit.dsl

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.fail
import plaudit.Settings
import plaudit.cli.DpoCommand
import plaudit.cli.ForumCommand
import plaudit.cli.PairsCommand
import plaudit.cli.PlauditCli
import plaudit.cli.PpoCommand
import plaudit.cli.RlooCommand
import plaudit.cli.SftCommand
import plaudit.cli.SteerCommand
import plaudit.cli.TrainLmCommand
import plaudit.cli.TrainRmCommand
import plaudit.data.PairRules
import plaudit.experiment.Experiment
import plaudit.model.LoraSettings
import plaudit.train.DpoTrainer
import plaudit.train.ppo.PpoConfig
import plaudit.train.rloo.RlooConfig
import plaudit.train.steer.SteerConfig
import plaudit.train.steer.SteerRun

/**
 * Every setting has one default: what `plaudit ppo` (`rloo`, `dpo`, `steer`, `train-lm`, `sft`, `train-rm`, `forum`, `pairs`) parses with no options, what the DSL's builder
 * holds with nothing set, and what an experiment spec `{}` (what a remote worker receives) holds must agree, setting
 * by setting.
 */
class SettingsDefaultsTest {
    private val required = arrayOf("--sft", "s", "--rm", "r", "--pairs", "p", "--out", "o")

    private fun <C : Record> assertAgree(section: String, settings: Settings<C>, copies: Map<String, Map<String, Any?>>) {
        for (s in settings.list()) {
            val seen = copies.mapValues { (_, values) -> values[s.name()] }
            for ((where, value) in seen) {
                assertEquals(s.defaultValue(), value, "$section.${s.dslName()}: the default seen by $where; all: $seen")
            }
        }
    }

    /** A new setting needs its one-line property in the DSL builder; this says which. */
    private fun getter(builder: Any, name: String) = builder.javaClass.methods
        .firstOrNull { it.name == "get" + name.replaceFirstChar { c -> c.uppercase() } && it.parameterCount == 0 }
        ?: fail("${builder.javaClass.simpleName} has no property $name: add `var $name: … by v` for the new setting")

    /** The DSL builder's properties, read through their getters, by component name (dotted DSL names from build()). */
    private fun <C : Record> dslValues(builder: Any, settings: Settings<C>, built: C): Map<String, Any?> {
        val fromBuild = settings.values(built)
        return settings.list().associate { s ->
            s.name() to if (s.dslName().contains('.') || s.dslName() == "adaptiveKl") fromBuild[s.name()]
            else getter(builder, s.dslName()).invoke(builder).let { if (s.type().isEnum && it is String) s.parse(it) else it }
        }
    }

    @Test
    fun `PPO's defaults agree in the CLI, the DSL and the JSON spec`() {
        val cli = (PlauditCli.commandLine().parseArgs("ppo", *required).subcommand().commandSpec().userObject()
                as PpoCommand).config()
        val dsl = PpoBuilder()
        val inExperiment = experiment { ppo { } }.experiment.ppo()
        assertAgree("ppo", PpoConfig.SETTINGS, mapOf(
            "the CLI (plaudit ppo)" to PpoConfig.SETTINGS.values(cli),
            "the DSL (ppo { })" to dslValues(dsl, PpoConfig.SETTINGS, dsl.build()),
            "the DSL's experiment { }" to PpoConfig.SETTINGS.values(inExperiment),
            "the JSON spec ({})" to PpoConfig.SETTINGS.values(Experiment.fromJson("{}").ppo()),
        ))
    }

    @Test
    fun `RLOO's defaults agree in the CLI and the DSL`() {
        val cli = (PlauditCli.commandLine().parseArgs("rloo", *required).subcommand().commandSpec().userObject()
                as RlooCommand).config()
        val dsl = RlooBuilder()
        assertAgree("rloo", RlooConfig.SETTINGS, mapOf(
            "the CLI (plaudit rloo)" to RlooConfig.SETTINGS.values(cli),
            "the DSL (rloo { })" to dslValues(dsl, RlooConfig.SETTINGS, dsl.build()),
        ))
    }

    @Test
    fun `DPO's defaults agree in the CLI and the DSL`() {
        val cli = (PlauditCli.commandLine().parseArgs("dpo", "--sft", "s", "--pairs", "p", "--out", "o").subcommand()
                .commandSpec().userObject() as DpoCommand).config()
        val dsl = DpoBuilder()
        assertAgree("dpo", DpoTrainer.Config.SETTINGS, mapOf(
            "the CLI (plaudit dpo)" to DpoTrainer.Config.SETTINGS.values(cli),
            "the DSL (dpo { })" to dslValues(dsl, DpoTrainer.Config.SETTINGS, dsl.build()),
        ))
    }

    private fun command(vararg args: String): Any =
        PlauditCli.commandLine().parseArgs(*args).subcommand().commandSpec().userObject()

    /** A stage's defaults as its command parses them, in its DSL block, in the DSL's experiment and in the JSON spec. */
    private fun <C : Record> assertStageAgrees(settings: Settings<C>, cli: C, dsl: SettingsBuilder<C>, stage: (Experiment) -> C) {
        val section = dsl.toString().substringBefore(" ")
        val inExperiment = experiment { pretrain { }; sft { }; rewardModel { } }.experiment
        assertAgree(section, settings, mapOf(
            "the CLI" to settings.values(cli),
            "the DSL ($section { })" to dslValues(dsl, settings, dsl.build()),
            "the DSL's experiment { }" to settings.values(stage(inExperiment)),
            "the JSON spec ({})" to settings.values(stage(Experiment.fromJson("{}"))),
        ))
    }

    @Test
    fun `pretraining's, SFT's and the reward model's defaults agree in the CLI, the DSL and the JSON spec`() {
        val pretrain = Experiment.Pretrain.SETTINGS
        assertStageAgrees(pretrain, (command("train-lm", "--corpus", "c", "--out", "o") as TrainLmCommand).config(),
            TrainingBuilder("pretrain", pretrain, pretrain.defaults())) { it.pretrain() }
        val sft = Experiment.Sft.SETTINGS
        assertStageAgrees(sft, (command("sft", "--pairs", "p", "--init", "i", "--out", "o") as SftCommand).config(),
            TrainingBuilder("sft", sft, sft.defaults())) { it.sft() }
        val rm = (command("train-rm", "--pairs", "p", "--sft", "s", "--out", "o") as TrainRmCommand).config()
        assertStageAgrees(Experiment.RewardModel.SETTINGS, rm, RewardModelBuilder()) { it.rewardModel() }
    }

    /** The CLI's `--lora-*` options are being added to the commands; their defaults are LoraSettings' own too. */
    @Test
    fun `LoRA's defaults agree in the DSL and the JSON spec`() {
        val settings = LoraSettings.SETTINGS
        val dsl = LoraBuilder()
        assertAgree("lora", settings, mapOf(
            "the DSL (lora { })" to dslValues(dsl, settings, dsl.build()),
            "the DSL's experiment { }" to settings.values(experiment { lora { } }.experiment.lora()),
            "the JSON spec ({})" to settings.values(Experiment.fromJson("{}").lora()),
        ))
    }

    @Test
    fun `steering's defaults agree in the CLI and the DSL`() {
        val cli = PlauditCli.commandLine().parseArgs("steer", "--checkpoint", "c", "--target", "t", "--out", "o")
            .subcommand().commandSpec().userObject() as SteerCommand
        val dsl = SteerBuilder()
        assertAgree("steer", SteerConfig.SETTINGS, mapOf(
            "the CLI (plaudit steer)" to SteerConfig.SETTINGS.values(cli.config()),
            "the DSL (steer { })" to dslValues(dsl, SteerConfig.SETTINGS, dsl.config()),
        ))
        assertAgree("steer", SteerRun.SETTINGS, mapOf(
            "the CLI (plaudit steer)" to SteerRun.SETTINGS.values(cli.steerRun()),
            "the DSL (steer { })" to dslValues(dsl, SteerRun.SETTINGS, SteerRun.SETTINGS.defaults()),
        ))
    }

    @Test
    fun `the synthetic forum's defaults agree in the CLI, the DSL and the JSON spec`() {
        // plaudit forum's --threads keeps the generator's own default (1000), not the experiment's forum size
        val cli = (command("forum", "--out", "o", "--threads", Experiment.Forum.THREADS.defaultValue().toString())
                as ForumCommand).knobs()
        val dsl = ForumBuilder()
        val settings = Experiment.Forum.SETTINGS
        assertAgree("syntheticForum", settings, mapOf(
            "the CLI (plaudit forum)" to settings.values(cli),
            "the DSL (syntheticForum { })" to dslValues(dsl, settings, dsl.build()),
            "the DSL's experiment { }" to settings.values(experiment { syntheticForum { } }.experiment.data().forum()),
            "the JSON spec ({})" to settings.values(Experiment.fromJson("{}").data().forum()),
        ))
    }

    /** A PairRules' values by the rules' component names: each shared rule is its component of the same name. */
    private fun pairRulesValues(p: PairRules): Map<String, Any?> {
        val rules = Experiment.Rules.SETTINGS
        return rules.list().associate { s ->
            s.name() to when (s.name()) {
                // the fractions that assign a thread (test is the rest, 0.05 here, 1 - 0.9 - 0.05 from weights)
                "split" -> rules.defaults().pairRules().split().let { d ->
                    if (p.split().train() == d.train() && p.split().`val`() == d.`val`()) s.defaultValue() else p.split()
                }
                "splitSeed" -> p.split().seed()
                else -> PairRules::class.java.getMethod(s.name()).invoke(p)
            }
        }
    }

    @Test
    fun `the pair rules' defaults agree in the CLI, PairRules, the DSL and the JSON spec`() {
        val rules = Experiment.Rules.SETTINGS
        val cli = (command("pairs", "--source", "reddit", "--out", "o") as PairsCommand).pairRules()
        val dsl = RulesBuilder()
        assertAgree("rules", rules, mapOf(
            "the CLI (plaudit pairs)" to pairRulesValues(cli),
            "PairRules.defaults()" to pairRulesValues(PairRules.defaults()),
            "the DSL (rules)" to rules.list().associate { s ->
                s.name() to if (s.name() == "split") dsl.build().split() else getter(dsl, s.dslName()).invoke(dsl)
            },
            "the DSL's experiment { }" to rules.values(experiment { }.experiment.data().rules()),
            "the JSON spec ({})" to rules.values(Experiment.fromJson("{}").data().rules()),
        ))
    }
}
