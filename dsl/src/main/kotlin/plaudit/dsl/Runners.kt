package plaudit.dsl

import plaudit.UserError
import plaudit.data.RewardFunction
import plaudit.experiment.Experiment
import plaudit.experiment.ExperimentResult
import plaudit.experiment.ExperimentRunner
import plaudit.experiment.Runner
import plaudit.worker.JobProgress
import plaudit.worker.RewardSource
import plaudit.worker.WorkerClient
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

/**
 * Runs experiments on a Plaudit worker (`plaudit worker` on the GPU machine): submits the experiment, shows its
 * progress in the cell as a local run would, and returns the same result, read from the worker's files downloaded
 * into [out] (default: a new temporary folder per run), checkpoints included when [checkpoints] is set.
 * A reward must be given as source ([ExperimentBuilder.rewardSource]): a lambda cannot be sent.
 */
class RemoteRunner internal constructor(
    val url: String, private val token: String, private val out: String?, private val checkpoints: Boolean,
) : Runner {
    override fun run(experiment: Experiment, reward: UnaryOperator<RewardFunction>?): ExperimentResult {
        val source = when (reward) {
            null -> null
            is RewardSource -> reward.source()
            else -> throw UserError("a reward written as a Kotlin lambda cannot be sent to a remote worker; " +
                "declare it as source instead: rewardSource(\"\"\"{ rm -> 0.7 * rm + 0.3 * reward(\"polite\") { _, r -> if (\"please\" in r) 1.0 else 0.0 } }\"\"\")")
        }
        val client = WorkerClient(url, token)
        val id = client.submit(experiment.toJson(), source).get("id").asText()
        val job = JobProgress(experiment).use { p ->
            var from = 0
            // a dropped stream (network, worker restart) is picked up again where it stopped
            while (p.job()?.get("status")?.asText().let { it == null || it == "QUEUED" || it == "RUNNING" }) {
                from = client.events(id, from, true, p)
            }
            p.job()!!
        }
        if (job.get("status").asText() != "DONE") {
            throw UserError("remote job $id on $url ended ${job.get("status").asText().lowercase()}" +
                (job.get("error")?.takeIf { !it.isNull }?.let { ": " + it.asText() } ?: ""))
        }
        val folder = if (out != null) Path.of(out).resolve(id) else Files.createTempDirectory("plaudit-$id-")
        for (path in client.artifacts(id)) {
            // the forum and the comparisons are inputs the worker made; checkpoints only when asked for
            if (path.startsWith("forum/") || path.startsWith("pairs/") || (!checkpoints && "/checkpoint/" in path)) continue
            client.download(id, path, folder.resolve(path))
        }
        return ExperimentResult.read(folder)
    }

    override fun toString(): String = "remote(\"$url\")"
}

/**
 * A Plaudit worker at [url] (e.g. `http://gpu-box:8470`), with its [token]; see [RemoteRunner]. Changing
 * `runner = local()` to `runner = remote(url, token)` is the only edit a notebook needs.
 */
fun remote(url: String, token: String, out: String? = null, checkpoints: Boolean = true): RemoteRunner =
    RemoteRunner(url, token, out, checkpoints)
