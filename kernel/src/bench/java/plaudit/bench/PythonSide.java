package plaudit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * The PyTorch-eager reference ({@code bench/pytorch_gpt.py}, shipped in the jar) as a live Python process: one JSON
 * request per line on its stdin, one JSON reply per line on its stdout. Kept alive for the whole comparison so the two
 * sides can be timed in turns, both warm.
 */
final class PythonSide implements AutoCloseable {
    static final String SETUP = "run scripts/setup-bench.sh (installs Debian's python3-torch and libopenblas0-openmp)";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;
    private final Path stderr;

    private PythonSide(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts {@code python} on the reference script with {@code threads} intra-op threads (OpenMP/BLAS included) and
     * one inter-op thread, the same settings as the JVM side.
     */
    static PythonSide start(String python, Path workDir, int threads) throws IOException {
        Path script = workDir.resolve("pytorch_gpt.py");
        try (InputStream s = PythonSide.class.getResourceAsStream("/plaudit/bench/pytorch_gpt.py")) {
            if (s == null) throw new IllegalStateException("bench/pytorch_gpt.py is missing from the jar");
            Files.copy(s, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path err = workDir.resolve("python-stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(List.of(python, script.toString(), "1"))
                .redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        for (String v : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")) {
            env.put(v, Integer.toString(threads));
        }
        try {
            return new PythonSide(pb.start(), err);
        } catch (IOException e) {
            throw new UserError("bench --against pytorch: cannot start " + python + " (" + e.getMessage() + "); "
                    + SETUP + ", or point --python at a python3 with torch");
        }
    }

    /** The Python process's id, so that its CPU time counts as the benchmark's own ({@link MachineLoad}). */
    long pid() {
        return process.pid();
    }

    /** Sends one request and waits for its reply; a Python-side error or exit becomes an exception naming it. */
    JsonNode call(ObjectNode request) {
        try {
            in.write(JSON.writeValueAsString(request));
            in.write('\n');
            in.flush();
            String line = out.readLine();
            if (line == null) throw died(request);
            JsonNode reply = JSON.readTree(line);
            if (reply.has("error")) {
                throw new IllegalStateException("PyTorch side failed on " + request.get("op") + ": "
                        + reply.get("error").asText());
            }
            return reply;
        } catch (IOException e) {
            throw died(request);
        }
    }

    static ObjectNode request(String op) {
        return JSON.createObjectNode().put("op", op);
    }

    private RuntimeException died(ObjectNode request) {
        String log = "";
        try {
            process.waitFor();
            log = Files.readString(stderr).strip();
        } catch (IOException | InterruptedException ignored) {
            // the exit itself is the error to report
        }
        if (log.contains("No module named 'torch'")) {
            return new UserError("bench --against pytorch: python3 has no torch module; " + SETUP);
        }
        String tail = log.length() > 2000 ? log.substring(log.length() - 2000) : log;
        return new IllegalStateException("the PyTorch side exited during " + request.get("op") + ":\n" + tail);
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                in.write("{\"op\": \"quit\"}\n");
                in.flush();
            }
        } catch (IOException ignored) {
            // already gone
        }
        process.destroy();
    }
}
