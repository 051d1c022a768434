package plaudit.dsl

import plaudit.UserError
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
 * DPO's hyperparameters: `s.dpo("dpo") { beta = 0.1; steps = 100 }`. Each property reads and writes its
 * [plaudit.Setting] in [DpoTrainer.Config.SETTINGS], where its default, meaning and validation are defined once (the
 * same as `plaudit dpo`'s; β = 0.1, Rafailov et al. 2023 / TRL); [toString] prints them as the DSL, [help] explains them.
 */
class DpoBuilder(from: DpoTrainer.Config = DpoTrainer.Config.defaults()) :
    SettingsBuilder<DpoTrainer.Config>("dpo", DpoTrainer.Config.SETTINGS, from) {
    var steps: Int by v; var batchSize: Int by v; var lr: Double by v
    var beta: Double by v
    var gradClip: Double by v; var maxResponse: Int by v
    var evalEvery: Int by v; var seed: Long by v
}

/**
 * RLOO's hyperparameters: `s.rloo("rloo") { k = 4; steps = 40 }`. Each property reads and writes its
 * [plaudit.Setting] in [RlooConfig.SETTINGS], where its default, meaning and validation are defined once (the same as
 * `plaudit rloo`'s); [toString] prints them as the DSL, [help] explains them.
 */
class RlooBuilder(from: RlooConfig = RlooConfig.defaults()) : SettingsBuilder<RlooConfig>("rloo", RlooConfig.SETTINGS, from) {
    var steps: Int by v; var prompts: Int by v; var k: Int by v
    var epochs: Int by v; var miniBatchSize: Int by v
    var lr: Double by v
    var responseLength: Int by v; var temperature: Double by v
    var klCoef: Double by v; var clipRange: Double by v
    var normalizeAdvantages: Boolean by v; var rewardClip: Double by v; var missingEosPenalty: Double by v
    var gradClip: Double by v
    var sampleEvery: Int by v; var seed: Long by v
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
        ?: throw UserError("methods: scale \"$scale\" is unknown; use tiny, small or full")
    return Methods(Path.of(out), Methods.Settings.of(sc), Devices.parse(device), seed).run()
}

/** Gold vs KL of a methods table (what [methods] returns, or `methods.csv` read back): best-of-n as a curve, the rest as points. */
fun methodsPlot(table: Table): Plot = Methods.plot(Methods.rows(table))
