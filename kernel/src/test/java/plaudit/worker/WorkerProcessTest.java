package plaudit.worker;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.experiment.Experiment;
import plaudit.experiment.ExperimentRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real worker process killed in the middle of PPO (destroyForcibly: SIGKILL, no shutdown hook) and started again on
 * the same data folder: the job resumes from its checkpoint and ends with the metrics of an uninterrupted local run
 * (within float noise: three JVMs; ResumeTest checks bit-for-bit equality in one).
 * About 20 s (two worker JVMs and three tiny runs); ResumeTest is its in-process variant.
 */
@Tag("adversarial")
class WorkerProcessTest {
    private static final Pattern LISTENING = Pattern.compile("worker: http://127\\.0\\.0\\.1:(\\d+)/v1");

    @Test
    void killedWorkerResumesItsJobAfterRestart(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path tokenFile = Files.writeString(tmp.resolve("token"), WorkerFixture.TOKEN + "\n");
        Experiment e = Experiment.fromJson(WorkerFixture.tinyExperiment());

        Process first = startWorker(data, tokenFile, tmp.resolve("first.log"));
        String id;
        try {
            WorkerClient client = new WorkerClient("http://127.0.0.1:" + port(tmp.resolve("first.log"), first), WorkerFixture.TOKEN);
            id = client.submit(e.toJson(), null).get("id").asText();
            Path ppo = data.resolve("jobs/" + id + "/out/ppo");
            long until = System.currentTimeMillis() + 300_000;
            while (!(Files.exists(ppo.resolve("checkpoint/config.json")) && rows(ppo.resolve("metrics.csv")) >= 3)) {
                assertTrue(first.isAlive() && System.currentTimeMillis() < until, "the worker reaches PPO");
                Thread.sleep(20);
            }
        } finally {
            first.destroyForcibly();
            first.waitFor(30, TimeUnit.SECONDS);
        }
        JsonNode left = JobStore.JSON.readTree(data.resolve("jobs/" + id + "/job.json").toFile());
        assertEquals("RUNNING", left.get("status").asText(), "killed while running");
        int stepsBeforeKill = rows(data.resolve("jobs/" + id + "/out/ppo/metrics.csv"));

        Process second = startWorker(data, tokenFile, tmp.resolve("second.log"));
        try {
            WorkerClient client = new WorkerClient("http://127.0.0.1:" + port(tmp.resolve("second.log"), second), WorkerFixture.TOKEN);
            List<JsonNode> statuses = new ArrayList<>();
            client.events(id, 0, true, ev -> {
                if (ev.get("type").asText().equals("status")) statuses.add(ev.get("job"));
            });
            JsonNode end = statuses.get(statuses.size() - 1);
            assertEquals("DONE", end.get("status").asText(), () -> end + "\nfirst worker:\n" + read(tmp.resolve("first.log"))
                    + "\nsecond worker:\n" + read(tmp.resolve("second.log")));
            assertEquals(2, end.get("attempts").asInt());
            assertEquals(1, end.get("interrupted").asInt(), "the kill is counted; the worker lock it held was freed with it");
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
        String log = Files.readString(tmp.resolve("second.log"));
        assertTrue(log.contains("resumed from") && log.contains("ppo: resumed at step"), log);

        new ExperimentRunner(tmp.resolve("local")).run(e, null);
        Path out = data.resolve("jobs/" + id + "/out");
        System.out.println("worker killed after PPO step " + stepsBeforeKill + " of " + e.ppo().steps() + "; resumed and finished");
        WorkerFixture.assertCsvClose(tmp.resolve("local/ppo/metrics.csv"), out.resolve("ppo/metrics.csv"), 1e-3);
        WorkerFixture.assertLinesClose(Files.readAllLines(tmp.resolve("local/summary.csv")),
                Files.readAllLines(out.resolve("summary.csv")), out.resolve("summary.csv"), 1e-3);
    }

    private static Process startWorker(Path data, Path tokenFile, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path")));
        for (String p : List.of("ai.djl.offline", "ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads",
                "ai.djl.pytorch.graph_optimizer")) {
            if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        }
        cmd.addAll(List.of("plaudit.cli.PlauditCli", "worker", "--port", "0", "--data", data.toString(),
                "--token-file", tokenFile.toString(), "--device", "cpu"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int port(Path log, Process p) throws Exception {
        long until = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < until) {
            assertTrue(p.isAlive(), () -> "the worker stopped: " + read(log));
            Matcher m = LISTENING.matcher(read(log));
            if (m.find()) return Integer.parseInt(m.group(1));
            Thread.sleep(50);
        }
        throw new AssertionError("the worker did not start: " + read(log));
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static int rows(Path csv) throws IOException {
        return Files.exists(csv) ? Math.max(0, Files.readAllLines(csv).size() - 1) : 0;
    }
}
