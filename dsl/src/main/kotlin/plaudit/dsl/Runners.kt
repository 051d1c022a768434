package plaudit.dsl

import plaudit.reward.RewardFunction
import plaudit.run.Experiment
import plaudit.run.ExperimentResult
import plaudit.run.ExperimentRunner
import plaudit.run.Runner
import java.nio.file.Files
import java.nio.file.Path
import java.util.function.UnaryOperator

/** A device for the run: [cpu] or [gpu]. */
class DeviceSpec internal constructor(val spec: String) {
    override fun toString(): String = spec
}

/** The CPU. */
fun cpu(): DeviceSpec = DeviceSpec("cpu")

/** GPU number [index] (CUDA). */
fun gpu(index: Int = 0): DeviceSpec = DeviceSpec("gpu:$index")

/**
 * Runs experiments in this JVM, writing everything under [out] (default: a new temporary folder per run).
 */
class LocalRunner internal constructor(private val out: String?) : Runner {
    override fun run(experiment: Experiment, reward: UnaryOperator<RewardFunction>?): ExperimentResult =
        ExperimentRunner(folder()).run(experiment, reward)

    /** Trains up to the reward model; see [PlauditExperiment.train]. */
    fun train(experiment: Experiment, reward: UnaryOperator<RewardFunction>?): ExperimentRunner.Session =
        ExperimentRunner(folder()).train(experiment, reward)

    private fun folder(): Path = if (out != null) Path.of(out) else Files.createTempDirectory("plaudit-run-")

    override fun toString(): String = "local(${out?.let { "\"$it\"" } ?: ""})"
}

/** This JVM; [out] is the folder for metrics, plots and checkpoints (default: a new temporary folder per run). */
fun local(out: String? = null): LocalRunner = LocalRunner(out)
