package plaudit.dsl.script

import plaudit.UserError
import tech.tablesaw.api.Table
import java.io.File
import java.io.PrintStream
import kotlin.script.experimental.api.EvaluationResult
import kotlin.script.experimental.api.ResultValue
import kotlin.script.experimental.api.ResultWithDiagnostics
import kotlin.script.experimental.api.ScriptDiagnostic
import kotlin.script.experimental.host.toScriptSource
import kotlin.script.experimental.jvmhost.BasicJvmScriptingHost
import kotlin.script.experimental.jvmhost.createJvmCompilationConfigurationFromTemplate
import kotlin.system.exitProcess

/**
 * `plaudit run FILE.plaudit.kts`: compiles and runs a Plaudit script. Errors are reported as `FILE:LINE: message`
 * (compile errors with their column), not as the host's stack trace. Exit codes: 0 ok, 1 the script threw, 2 bad
 * input (no such file, compile error, a Plaudit [UserError]).
 */
object RunScript {
    @JvmStatic
    fun main(args: Array<String>) {
        // nothing may download at run time: without this DJL's engine start-up calls home
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true")
        if (args.size != 1 || args[0].startsWith("-")) {
            System.err.println("usage: plaudit run FILE.plaudit.kts")
            exitProcess(2)
        }
        exitProcess(run(File(args[0]), System.err))
    }

    /** Runs [script]; reports errors on [err]; returns the exit code. */
    fun run(script: File, err: PrintStream): Int {
        if (!script.isFile) {
            err.println("plaudit run: no script at $script")
            return 2
        }
        val compilation = createJvmCompilationConfigurationFromTemplate<PlauditScript>()
        val result = BasicJvmScriptingHost().eval(script.toScriptSource(), compilation, null)
        val name = script.name
        if (result is ResultWithDiagnostics.Failure) {
            for (d in result.reports.filter { it.severity >= ScriptDiagnostic.Severity.ERROR }) {
                val at = d.location?.start
                err.println("$script:${at?.line ?: "?"}${at?.let { ":" + it.col } ?: ""}: error: ${d.message}")
                // an exception thrown while evaluating also arrives here, in the exception's own words
                d.exception?.let { return reportThrown(it, name, script, err) }
            }
            return 2
        }
        val value = (result as ResultWithDiagnostics.Success<EvaluationResult>).value.returnValue
        if (value is ResultValue.Error) return reportThrown(value.error, name, script, err)
        if (value is ResultValue.Value) println(value.value.let { if (it is Table) it.print() else it })
        return 0
    }

    /** `FILE:LINE: message` for an exception thrown by the script, the line taken from the script's own frame. */
    private fun reportThrown(e: Throwable, name: String, script: File, err: PrintStream): Int {
        val line = generateSequence(e) { it.cause }.flatMap { it.stackTrace.asSequence() }
            .firstOrNull { it.fileName == name }?.lineNumber
        val userError = generateSequence(e) { it.cause }.filterIsInstance<UserError>().firstOrNull()
        val where = "$script:${line ?: "?"}"
        return if (userError != null) {
            err.println("$where: ${userError.message}")
            2
        } else {
            err.println("$where: ${e.javaClass.name}: ${e.message}")
            1
        }
    }
}
