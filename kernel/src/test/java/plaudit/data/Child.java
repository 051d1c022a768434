package plaudit.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A class's main run in a child JVM on the test class path, for what only a small heap proves (streaming, bounded
 * memory) and for what the user sees (exit status, the one-line error).
 *
 * @param status the exit status
 * @param output stdout and stderr together
 */
public record Child(int status, String output) {
    /** Runs {@code java <jvmOption> -cp <test class path> <mainClass> <args>}; at most two minutes. */
    public static Child run(Path dir, String jvmOption, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                jvmOption, "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "child", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the child did not finish in two minutes: " + Files.readString(log));
        }
        return new Child(p.exitValue(), Files.readString(log));
    }
}
