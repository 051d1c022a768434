package plaudit.cli;

import ai.djl.Device;
import picocli.CommandLine.Option;
import plaudit.model.Devices;

/** Options every training and sampling command shares: where it runs and its seed (a picocli mixin). */
public final class RunOptions {
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    /** The device; a GPU that PyTorch cannot see is an error, never a silent CPU run. */
    public Device device() {
        return Devices.parse(device);
    }

    public long seed() {
        return seed;
    }
}
