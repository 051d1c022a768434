package plaudit.dsl

import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import plaudit.UserError
import plaudit.experiment.Runner
import plaudit.worker.Auth
import plaudit.worker.ExperimentExecution
import plaudit.worker.JobQueue
import plaudit.worker.JobStore
import plaudit.worker.WorkerServer
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path

/** `runner = remote(url, token)` against a worker on loopback in this JVM: the same metrics as `runner = local()`. */
class RemoteRunnerTest {
    private val token = "dsl-test-token"
    private var server: WorkerServer? = null
    private var queue: JobQueue? = null

    @AfterEach
    fun stop() {
        server?.close()
        queue?.close()
    }

    private fun worker(data: Path): String {
        val store = JobStore(data)
        queue = JobQueue(store, ExperimentExecution(store, "cpu"))
        server = WorkerServer(store, queue, Auth(token), "127.0.0.1", 0, null).start()
        queue!!.start()
        return "http://127.0.0.1:${server!!.port()}"
    }

    private fun tiny(runner: Runner, reward: ExperimentBuilder.() -> Unit) = experiment {
        tinySizes()
        reward()
        this.runner = runner
    }

    @Test // two runs and a Kotlin compile: ~45 s on a busy machine, but it is the point of the remote runner
    fun `a remote run with a reward source gives the metrics of the same local run`(@TempDir dir: Path) {
        val url = worker(dir.resolve("worker"))
        val local = tiny(local(dir.resolve("local").toString())) {
            reward { rm -> rm + 0.0 * reward("length") { _, r -> r.length.toDouble() } }
        }.run()
        val shown = ByteArrayOutputStream()
        val before = System.getProperty("plaudit.progress.stream")
        val out = System.out
        System.setProperty("plaudit.progress.stream", "stdout")
        System.setOut(PrintStream(shown, true))
        val remote = try {
            tiny(remote(url, token, out = dir.resolve("downloads").toString())) {
                rewardSource("""{ rm -> rm + 0.0 * reward("length") { _, r -> r.length.toDouble() } }""")
            }.run()
        } finally {
            System.setOut(out)
            if (before == null) System.clearProperty("plaudit.progress.stream") else System.setProperty("plaudit.progress.stream", before)
        }
        // the cell shows a bar per stage and the job's status, as a local run shows its stages
        val text = shown.toString()
        assertTrue(text.contains("ppo [") && text.contains("sft [") && text.contains(": done"), text)

        assertEquals(local.summary().stringColumn("metric").asList(), remote.summary().stringColumn("metric").asList())
        for (m in local.summary().stringColumn("metric")) assertEquals(local.value(m), remote.value(m), 1e-5, m)
        assertEquals(local.metrics().keys, remote.metrics().keys)
        for (col in listOf("objective/scores", "objective/kl", "objective/gold", "loss/policy_avg")) {
            val l = local.metrics()["ppo"]!!.doubleColumn(col).asDoubleArray()
            val r = remote.metrics()["ppo"]!!.doubleColumn(col).asDoubleArray()
            assertEquals(l.size, r.size)
            for (i in l.indices) assertEquals(l[i], r[i], 1e-5 * maxOf(1.0, Math.abs(l[i])), "$col row $i")
        }
        assertEquals(local.samples()["ppo"]!!.stringColumn("response").asList(), remote.samples()["ppo"]!!.stringColumn("response").asList())
        assertEquals(local.plots().keys, remote.plots().keys)
        assertTrue(Files.isRegularFile(remote.checkpoints()["sft"]!!.resolve("model.safetensors")), "checkpoints downloaded")
    }

    @Test
    fun `a lambda reward cannot go to a remote worker, nor anything without the token`(@TempDir dir: Path) {
        val url = worker(dir.resolve("worker"))
        val lambda = assertThrows<UserError> {
            tiny(remote(url, token)) { reward { rm -> rm } }.run()
        }
        assertTrue(lambda.message!!.contains("rewardSource"), lambda.message)
        val forged = assertThrows<UserError> { tiny(remote(url, "not-the-token")) { }.run() }
        assertTrue(forged.message!!.contains("HTTP 401"), forged.message)
    }

    @Test
    @Tag("slow") // compiles Kotlin: 20-40 s on a busy machine
    fun `a reward source that does not compile is refused at submit, naming the error`(@TempDir dir: Path) {
        val url = worker(dir.resolve("worker"))
        val bad = assertThrows<UserError> {
            tiny(remote(url, token)) { rewardSource("{ rm -> rm + undefinedThing }") }.run()
        }
        assertTrue(bad.message!!.contains("HTTP 400") && bad.message!!.contains("undefinedThing"), bad.message)
    }
}
