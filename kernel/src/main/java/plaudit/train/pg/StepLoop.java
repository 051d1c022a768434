package plaudit.train.pg;

import plaudit.model.CausalLm;
import plaudit.report.MetricsLog;
import plaudit.report.Progress;

import java.util.Map;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The outer loop of the policy-gradient trainers (PPO, RLOO): from the step already done (a resumed run starts later)
 * to {@code steps}, log every metrics row, show reward, KL and gold on the progress bar, and call {@code afterStep}
 * (checkpointing, cancellation) with the number of steps done. A {@code watch} (may be null) reads every row and may
 * return a warning, printed above the bar. A run that reaches {@code steps} leaves its policy frozen
 * ({@link CausalLm#setTrainable} false), as every trainer leaves the model it trained: what follows only samples from it.
 */
public final class StepLoop {
    private StepLoop() {
    }

    public static void run(String label, CausalLm policy, int steps, IntSupplier done, Supplier<Map<String, Number>> step,
                           MetricsLog log, IntConsumer afterStep, Function<Map<String, Number>, String> watch) {
        try (Progress bar = new Progress(label, steps)) {
            bar.advance(done.getAsInt());
            while (done.getAsInt() < steps) {
                Map<String, Number> row = step.get();
                log.log(row);
                String warning = watch == null ? null : watch.apply(row);
                if (warning != null) bar.warn(warning);
                bar.set("score", row.get("objective/scores").doubleValue())
                   .set("kl", row.get("objective/kl").doubleValue())
                   .set("gold", row.get("objective/gold").doubleValue());
                bar.step();
                if (afterStep != null) afterStep.accept(done.getAsInt());
            }
        }
        policy.setTrainable(false);
    }
}
