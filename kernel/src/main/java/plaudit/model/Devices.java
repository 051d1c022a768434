package plaudit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import plaudit.Echo;
import plaudit.UserError;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a {@code --device} option into a DJL {@link Device}; a GPU that PyTorch cannot see is an error, never a silent CPU run. */
public final class Devices {

    private static final Pattern GPU = Pattern.compile("gpu(?::(\\d{1,4}))?");

    private Devices() {
    }

    /** {@code "cpu"} (also for null or blank), {@code "gpu"} (= gpu:0) or {@code "gpu:N"}, present on this machine. */
    public static Device parse(String spec) {
        int index = gpuIndex(spec, "device");
        if (index < 0) return Device.cpu();
        int visible = Engine.getEngine("PyTorch").getGpuCount();
        if (index >= visible) {
            throw new UserError("device gpu:" + index + " requested but PyTorch sees " + (visible == 0
                    ? "no CUDA GPU (Engine.getGpuCount()=0); devices available: cpu"
                    : visible + " CUDA GPU(s) (Engine.getGpuCount()=" + visible + "); devices available: cpu, gpu:0"
                    + (visible > 1 ? " to gpu:" + (visible - 1) : "")) + ". Choose one of them (e.g. cpu)");
        }
        return Device.gpu(index);
    }

    /**
     * Checks the form of a device name without asking the engine (a spec may be written on one machine and run on
     * another); {@code setting} names it in the error.
     */
    public static void checkName(String spec, String setting) {
        gpuIndex(spec, setting);
    }

    /** The GPU index of a device name, or -1 for the CPU. */
    private static int gpuIndex(String spec, String setting) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("cpu")) return -1;
        Matcher m = GPU.matcher(s);
        if (!m.matches()) {
            throw new UserError(setting + " '" + Echo.of(spec) + "' is not understood; use cpu, gpu or gpu:N"
                    + " (e.g. gpu:0)");
        }
        return m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
    }
}
