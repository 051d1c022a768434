package plaudit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How busy the machine was while a benchmark ran, from Linux's {@code /proc}: the load average, and the CPU time that
 * <em>other</em> processes took, which is what makes timings on a shared machine unreliable. The load average counts
 * the benchmark's own threads too (two processes of {@code --threads} each while it runs), so it can only say how
 * busy the machine was before and how busy it is afterwards; the CPU time of others, measured as the machine's busy
 * time minus that of the benchmark's processes, says how much was taken from it meanwhile. Elsewhere than Linux every
 * figure is NaN.
 */
record MachineLoad(double load1, double busySeconds, double ownSeconds, long nanos) {
    /** Clock ticks per second of {@code /proc} times: 100 on every Linux this runs on (USER_HZ). */
    private static final double TICKS = 100;

    /** Now, with {@code pids} (besides this JVM) counted as the benchmark's own processes. */
    static MachineLoad now(long... pids) {
        double own = processSeconds("self");
        for (long pid : pids) own += processSeconds(Long.toString(pid));
        return new MachineLoad(readLoadAverage(), readBusySeconds(), own, System.nanoTime());
    }

    /** Cores' worth of CPU that other processes used on average between {@code before} and this snapshot. */
    double othersCores(MachineLoad before) {
        double wall = (nanos - before.nanos) / 1e9;
        double others = (busySeconds - before.busySeconds) - (ownSeconds - before.ownSeconds);
        return wall <= 0 ? Double.NaN : Math.max(0, others / wall);
    }

    /** The 1-minute load average. */
    private static double readLoadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Busy CPU seconds of the whole machine since boot: the first line of /proc/stat less idle and iowait. */
    private static double readBusySeconds() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.get(0).trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal ...
            long busy = 0;
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
            return busy / TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** User + system CPU seconds of process {@code pid} ("self" = this JVM), 0 when it is gone. */
    private static double processSeconds(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // fields after the command name, which is in parentheses and may hold spaces: utime is the 14th field
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split("\\s+");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
