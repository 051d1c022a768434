package plaudit.cli;

import plaudit.experiment.Methods;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code plaudit methods}: SFT, best-of-n, PPO, DPO and RLOO on the same gold-vs-KL axes. */
@Command(name = "methods", mixinStandardHelpOptions = true,
        description = {"Compares the alignment methods on the synthetic forum: one SFT model and reward model, then "
                + "best-of-n, PPO, DPO and RLOO, each as gold reward vs KL from SFT with the proxy reward, the win "
                + "rate against SFT by gold and wall-clock seconds.",
                "Writes OUT/methods.csv, OUT/plots/methods.svg, OUT/summary.csv and each run's metrics.csv.",
                "Scales: tiny (~3 minutes on 2 cores), small, full."})
public final class MethodsCommand implements Callable<Integer> {
    @Mixin
    PresetOptions preset = new PresetOptions("tiny");

    @Override
    public Integer call() throws Exception {
        return preset.run("methods", (scale, device, seed) -> new Methods(preset.out, Methods.Settings.of(scale), device, seed)
                .run(), "table: " + preset.out.resolve("methods.csv") + ", plot: " + preset.out.resolve("plots/methods.svg"));
    }
}
