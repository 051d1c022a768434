package plaudit.dsl.script

import plaudit.UserError
import plaudit.data.RewardFunction
import plaudit.worker.RewardCompiler
import java.util.function.UnaryOperator
import kotlin.script.experimental.api.ResultValue
import kotlin.script.experimental.api.ResultWithDiagnostics
import kotlin.script.experimental.api.ScriptDiagnostic
import kotlin.script.experimental.host.toScriptSource
import kotlin.script.experimental.jvmhost.BasicJvmScriptingHost
import kotlin.script.experimental.jvmhost.createJvmCompilationConfigurationFromTemplate

/**
 * Compiles a reward given as Kotlin source (`{ rm -> 0.7 * rm + 0.3 * reward("polite") { _, r -> … } }`) with the
 * `.plaudit.kts` script host, so the DSL's reward functions and operators are imported. Found by the kernel through
 * [java.util.ServiceLoader]; where the script host is not on the classpath (a notebook), it is not offered.
 */
class ScriptRewardCompiler : RewardCompiler {
    init {
        // the host is a provided dependency: present for bin/plaudit worker and run, absent in notebooks
        Class.forName("kotlin.script.experimental.jvmhost.BasicJvmScriptingHost")
    }

    override fun compile(source: String): UnaryOperator<RewardFunction> {
        // on the source's first line, so compile errors keep the source's line numbers
        val script = "val plauditReward: (RewardFunction) -> RewardFunction = $source\nplauditReward\n"
        val result = BasicJvmScriptingHost().eval(script.toScriptSource("reward.kts"),
            createJvmCompilationConfigurationFromTemplate<PlauditScript>(), null)
        if (result is ResultWithDiagnostics.Failure) {
            val errors = result.reports.filter { it.severity >= ScriptDiagnostic.Severity.ERROR }.joinToString("; ") {
                "line ${it.location?.start?.line ?: "?"}: ${it.message}"
            }
            throw UserError("reward source does not compile: $errors")
        }
        val value = (result as ResultWithDiagnostics.Success).value.returnValue
        if (value is ResultValue.Error) throw UserError("reward source failed: ${value.error}")
        @Suppress("UNCHECKED_CAST")
        val f = (value as ResultValue.Value).value as (RewardFunction) -> RewardFunction
        return UnaryOperator { rm -> f(rm) }
    }
}
