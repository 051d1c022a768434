package plaudit.dsl.jupyter

import plaudit.report.Progress

/**
 * A progress bar that updates live in a notebook cell:
 * ```
 * liveProgress("rollouts", total = 512) { p -> repeat(512) { p.set("reward", r); p.step() } }
 * ```
 * It is Plaudit's terminal [Progress] drawn on standard output instead of standard error: the notebook shows stdout
 * as plain text and redraws the line on each carriage return (stderr would show in red). `System.out` is read at the
 * call because the kernel swaps it for every cell. Display updates (`UPDATE_DISPLAY`) are no alternative: kernel
 * 0.11.0-398 sends nothing for them.
 */
inline fun <R> liveProgress(label: String, total: Long = 0, block: (Progress) -> R): R {
    // live by definition, also before `%use plaudit` has set the mode for the trainers' bars
    if (System.getProperty("plaudit.progress") == null) System.setProperty("plaudit.progress", "live")
    return Progress(label, total, System.out).use(block)
}
