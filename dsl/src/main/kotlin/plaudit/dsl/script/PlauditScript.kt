package plaudit.dsl.script

import kotlin.script.experimental.annotations.KotlinScript
import kotlin.script.experimental.api.ScriptCompilationConfiguration
import kotlin.script.experimental.api.defaultImports
import kotlin.script.experimental.jvm.dependenciesFromCurrentContext
import kotlin.script.experimental.jvm.jvm

/**
 * A `*.plaudit.kts` script: Kotlin with Plaudit's DSL, reports, reward functions and Tablesaw imported, compiled
 * against the classpath it runs on. Run one with `bin/plaudit run FILE.plaudit.kts`.
 */
@KotlinScript(fileExtension = "plaudit.kts", compilationConfiguration = PlauditScriptCompilation::class)
abstract class PlauditScript

/** The imports a script starts with (the same as a notebook's `%use plaudit`). */
object PlauditScriptCompilation : ScriptCompilationConfiguration({
    defaultImports(
        "plaudit.dsl.*", "plaudit.report.*", "plaudit.data.RewardFunction", "plaudit.experiment.Experiment",
        "plaudit.experiment.ExperimentResult", "tech.tablesaw.api.*"
    )
    jvm { dependenciesFromCurrentContext(wholeClasspath = true) }
})
