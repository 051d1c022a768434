package plaudit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import plaudit.UserError;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a {@code --device} option into a DJL {@link Device}; a GPU that PyTorch cannot see is an error, never a silent CPU run. */
public final class Devices {

    private static final Pattern GPU = Pattern.compile("gpu(?::(\\d{1,4}))?");

    private Devices() {
    }

    /** {@code "cpu"} (also for null or blank), {@code "gpu"} (= gpu:0) or {@code "gpu:N"}. */
    public static Device parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("cpu")) return Device.cpu();
        Matcher m = GPU.matcher(s);
        if (!m.matches()) {
            throw new UserError("device '" + spec + "' is not understood; use cpu, gpu or gpu:N (e.g. gpu:0)");
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        int visible = Engine.getEngine("PyTorch").getGpuCount();
        if (visible == 0) {
            throw new UserError("device gpu:" + index + " requested but no CUDA GPU is visible to PyTorch"
                    + " (Engine.getGpuCount()=0); use --device cpu");
        }
        if (index >= visible) {
            throw new UserError("device gpu:" + index + " requested but PyTorch sees only " + visible
                    + " CUDA GPU(s) (Engine.getGpuCount()=" + visible + "); use gpu:0 to gpu:" + (visible - 1)
                    + " or --device cpu");
        }
        return Device.gpu(index);
    }
}
