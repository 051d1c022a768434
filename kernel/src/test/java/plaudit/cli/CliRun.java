package plaudit.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The real command line run in the test's JVM, with its standard streams swapped for buffers. */
public final class CliRun {
    /** Exit status, what went to standard output (bytes) and to standard error. */
    public record Result(int status, byte[] stdout, String err) {
        /** Standard output as UTF-8 text. */
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private CliRun() {
    }

    /** Runs {@code plaudit args}; standard input stays as it is. */
    public static Result run(String... args) {
        return withStdin(null, args);
    }

    /**
     * Runs {@code plaudit args} reading {@code stdin} (null: standard input stays as it is). Synchronized because the
     * standard streams are global: two tests running at once would read each other's output.
     */
    public static synchronized Result withStdin(byte[] stdin, String... args) {
        InputStream in = System.in;
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream(), errBytes = new ByteArrayOutputStream();
        try {
            if (stdin != null) System.setIn(new ByteArrayInputStream(stdin));
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int status = PlauditCli.run(args);
            return new Result(status, outBytes.toByteArray(), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }
}
