package plaudit.worker;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.cli.PlauditCli;
import plaudit.experiment.Experiment;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker under hostile use (issue 27): two workers on one folder, a job that kills its worker at every start, a
 * chunked body with no end, a worker that dies under {@code plaudit logs --follow}, links out of a job, odd tokens.
 */
@Tag("adversarial")
class HostileWorkerTest {
    private WorkerServer server;
    private JobQueue queue;

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.close();
        if (queue != null) queue.close();
    }

    private String start(Path data, JobQueue.Execution execution) {
        JobStore store = new JobStore(data);
        queue = new JobQueue(store, execution);
        server = new WorkerServer(store, queue, new Auth(WorkerFixture.TOKEN), "127.0.0.1", 0, null).start();
        queue.start();
        return "http://127.0.0.1:" + server.port();
    }

    private static String submit(String url) throws IOException {
        var r = WorkerFixture.call("POST", url + "/v1/jobs", WorkerFixture.TOKEN, "{\"experiment\":" + WorkerFixture.tinyExperiment() + "}");
        assertEquals(201, r.statusCode(), r.body());
        return WorkerFixture.json(r).get("id").asText();
    }

    // ---- item 1: one worker per --data folder ----

    @Test
    void aSecondWorkerOnTheSameDataFolderRefusesToStart(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path tokenFile = Files.writeString(tmp.resolve("token"), WorkerFixture.TOKEN + "\n");
        try (DataLock first = DataLock.take(data)) {
            String err = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                PrintStream stderr = System.err;
                System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
                try {
                    assertEquals(2, PlauditCli.run("worker", "--data", data.toString(), "--port", "0", "--device", "cpu",
                            "--token-file", tokenFile.toString()));
                } finally {
                    System.setErr(stderr);
                }
                return buf.toString(StandardCharsets.UTF_8);
            }, "the second worker must refuse, not serve");
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("plaudit worker: --data " + data + " is in use by another worker (pid "
                    + ProcessHandle.current().pid() + ")"), err);
        }
        DataLock.take(data).close(); // released: the next worker starts
    }

    /** The lock is the operating system's: a worker in another process is refused while this one holds it. */
    @Test
    void aWorkerInAnotherProcessIsRefusedTooNamingTheHolder(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path tokenFile = Files.writeString(tmp.resolve("token"), WorkerFixture.TOKEN + "\n");
        try (DataLock held = DataLock.take(data)) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                    "-cp", System.getProperty("java.class.path"), "plaudit.cli.PlauditCli", "worker", "--data", data.toString(),
                    "--port", "0", "--device", "cpu", "--token-file", tokenFile.toString()).redirectErrorStream(true).start();
            boolean ended = p.waitFor(60, TimeUnit.SECONDS);
            if (!ended) p.destroyForcibly();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(ended, "the second worker must refuse, not serve: " + out);
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.strip().equals("plaudit worker: --data " + data + " is in use by another worker (pid "
                    + ProcessHandle.current().pid() + "), which holds " + data.toAbsolutePath().resolve(DataLock.FILE)
                    + "; stop that worker or give this one another --data folder"), out);
        }
    }

    /** Even without the lock (two stores on one folder), no job is overwritten: a folder that exists is skipped. */
    @Test
    void jobFoldersAreCreatedExclusively(@TempDir Path tmp) throws Exception {
        Experiment e = Experiment.fromJson(WorkerFixture.tinyExperiment());
        Experiment other = Experiment.fromJson(WorkerFixture.tinyExperiment().replace("\"seed\": 7", "\"seed\": 8"));
        JobStore a = new JobStore(tmp), b = new JobStore(tmp); // both read the folder while it was empty
        Job first = a.create(e, null);
        Job second = b.create(other, null);
        assertEquals("job-000001", first.id());
        assertEquals("job-000002", second.id(), "the taken number is skipped");
        assertEquals(7, a.experiment(first.id()).seed(), "the first job's spec is intact");
        assertEquals(8, b.experiment(second.id()).seed());
        Files.createDirectories(tmp.resolve("jobs/job-000003")); // half made, by someone
        assertEquals("job-000004", a.create(e, null).id());
    }

    // ---- item 2: attempts capped, cancel kept across a stop ----

    @Test
    void aJobThatStopsTheWorkerAtEveryStartFailsAfterThreeWithTheReason(@TempDir Path tmp) throws Exception {
        String id = new JobStore(tmp).create(Experiment.fromJson(WorkerFixture.tinyExperiment()), null).id();
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        for (int start = 1; start <= JobQueue.MAX_ATTEMPTS + 1; start++) {
            CountDownLatch running = new CountDownLatch(1);
            JobQueue q = new JobQueue(new JobStore(tmp), (job, out, cancelled) -> {
                ran.add(job);
                running.countDown();
                Thread.sleep(Long.MAX_VALUE); // as a job that takes the machine: only the worker's end stops it
            });
            q.start();
            if (start <= JobQueue.MAX_ATTEMPTS) assertTrue(running.await(10, TimeUnit.SECONDS), "start " + start);
            q.close(); // the worker stops (as kill -9 or the out-of-memory killer would stop it)
        }
        assertEquals(JobQueue.MAX_ATTEMPTS, ran.size(), "not started a fourth time: " + ran);
        Job j = new JobStore(tmp).get(id);
        assertEquals(Job.Status.FAILED, j.status());
        assertEquals(JobQueue.MAX_ATTEMPTS, j.attempts());
        assertEquals(JobQueue.MAX_ATTEMPTS, j.interrupted());
        assertTrue(j.error().startsWith("started 3 times without finishing: the worker died under it each time "
                + "(killed, or out of memory?), last at the start of 20"), j.error());
    }

    /** A worker stopped in the ordinary way (the shutdown hook calls stop) does not count against its job. */
    @Test
    void ordinaryStopsDoNotCountAgainstTheJob(@TempDir Path tmp) throws Exception {
        String id = new JobStore(tmp).create(Experiment.fromJson(WorkerFixture.tinyExperiment()), null).id();
        for (int start = 1; start <= JobQueue.MAX_ATTEMPTS + 2; start++) {
            CountDownLatch running = new CountDownLatch(1);
            JobQueue q = new JobQueue(new JobStore(tmp), (job, out, cancelled) -> {
                running.countDown();
                Thread.sleep(Long.MAX_VALUE);
            });
            q.start();
            assertTrue(running.await(10, TimeUnit.SECONDS), "start " + start);
            q.stop();
            q.close();
        }
        JobStore store = new JobStore(tmp);
        queue = new JobQueue(store, (job, out, cancelled) -> { });
        queue.start();
        long until = System.currentTimeMillis() + 10_000;
        while (store.get(id).status() != Job.Status.DONE) {
            assertTrue(System.currentTimeMillis() < until, store.get(id).toString());
            Thread.sleep(10);
        }
        assertEquals(JobQueue.MAX_ATTEMPTS + 3, store.get(id).attempts());
        assertEquals(0, store.get(id).interrupted());
    }

    @Test
    void aCancelOfAJobThatNeverReachesAStepHoldsAfterTheWorkerStops(@TempDir Path tmp) throws Exception {
        String id = new JobStore(tmp).create(Experiment.fromJson(WorkerFixture.tinyExperiment()), null).id();
        CountDownLatch running = new CountDownLatch(1);
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        JobQueue q = new JobQueue(new JobStore(tmp), (job, out, cancelled) -> {
            ran.add(job);
            running.countDown();
            Thread.sleep(Long.MAX_VALUE); // allocating a model too big to reach its first cancellation check
        });
        q.start();
        assertTrue(running.await(10, TimeUnit.SECONDS));
        assertEquals(Job.Status.RUNNING, q.cancel(id).status(), "stops at its next check, which never comes");
        q.close(); // the user gives up and stops the worker
        JobStore store = new JobStore(tmp);
        queue = new JobQueue(store, (job, out, cancelled) -> ran.add(job));
        queue.start();
        assertEquals(Job.Status.CANCELLED, store.get(id).status());
        queue.close();
        assertEquals(List.of(id), ran, "not started again");
    }

    /** The job runs on the worker's device: a spec that asks for a GPU this machine lacks is refused at submit. */
    @Test
    void aSpecAskingForAnAbsentGpuIsRefusedAtSubmit(@TempDir Path tmp) throws Exception {
        String url = start(tmp, (id, out, cancelled) -> { });
        String spec = WorkerFixture.tinyExperiment().replaceFirst("\\{", "{\"device\": \"gpu:7\", ");
        var r = WorkerFixture.call("POST", url + "/v1/jobs", WorkerFixture.TOKEN, "{\"experiment\":" + spec + "}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("gpu:7") && r.body().contains("devices available"), r.body());
        assertEquals("[]", WorkerFixture.call("GET", url + "/v1/jobs", WorkerFixture.TOKEN, null).body(), "nothing was queued");
    }

    // ---- item 3: one bounded body reader ----

    /**
     * A chunked body declares no length. Sent without end (chunks until the connection fails, never the last one),
     * it is answered 413 once the limit is passed: a reader that kept the whole body would wait for it forever.
     */
    @Test
    void aChunkedBodyWithoutEndIsRefusedAtTheLimit(@TempDir Path tmp) throws Exception {
        String url = start(tmp, (id, out, cancelled) -> { });
        String response = postChunkedWithoutEnd(server.port(), 50L << 20, "in-process");
        assertTrue(response.startsWith("HTTP/1.1 413"), response);
        assertTrue(response.contains("{\"error\":\"the request body is over the limit of 1048576 bytes (1024 KiB)"), response);
        assertEquals("[]", WorkerFixture.call("GET", url + "/v1/jobs", WorkerFixture.TOKEN, null).body(), "nothing was queued");
        assertEquals(201, WorkerFixture.call("POST", url + "/v1/jobs", WorkerFixture.TOKEN,
                "{\"experiment\":" + WorkerFixture.tinyExperiment() + "}").statusCode(), "the worker still serves");
    }

    /** A real worker with a 64 MiB heap is sent up to 300 MiB chunked: it answers 413 and goes on serving. */
    @Test
    void aWorkerWithA64MiBHeapSurvivesA300MiBChunkedBody(@TempDir Path tmp) throws Exception {
        Path tokenFile = Files.writeString(tmp.resolve("token"), WorkerFixture.TOKEN + "\n");
        Path log = tmp.resolve("worker.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), "plaudit.cli.PlauditCli", "worker", "--data",
                tmp.resolve("data").toString(), "--port", "0", "--device", "cpu", "--token-file", tokenFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Matcher m;
            long until = System.currentTimeMillis() + 60_000;
            while (!(m = LISTENING.matcher(Files.readString(log))).find()) {
                assertTrue(p.isAlive() && System.currentTimeMillis() < until, () -> "the worker starts: " + read(log));
                Thread.sleep(50);
            }
            int port = Integer.parseInt(m.group(1));
            String response = postChunkedWithoutEnd(port, 300L << 20, "child JVM, -Xmx64m");
            assertTrue(response.startsWith("HTTP/1.1 413"), response + "\n" + read(log));
            assertEquals(200, WorkerFixture.call("GET", "http://127.0.0.1:" + port + "/v1/jobs", WorkerFixture.TOKEN, null)
                    .statusCode(), "still serving");
            assertTrue(p.isAlive());
            assertFalse(read(log).contains("OutOfMemoryError"), read(log));
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static final Pattern LISTENING = Pattern.compile("worker: http://127\\.0\\.0\\.1:(\\d+)/v1");

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * POSTs a chunked job body of 'x' to the worker on {@code port}, up to {@code most} bytes and never its last
     * chunk, stopping once the worker answers; returns the answer and prints when it came.
     */
    private static String postChunkedWithoutEnd(int port, long most, String what) throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicBoolean answered = new AtomicBoolean();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream os = s.getOutputStream();
            os.write(("POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + WorkerFixture.TOKEN
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            Future<?> writing = writer.submit(() -> {
                byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    while (sent.get() < most && !answered.get()) {
                        os.write(chunk);
                        sent.addAndGet(0x10000);
                    }
                } catch (IOException refused) {
                    // the worker answered and closed: stop sending
                }
                return null;
            });
            String response = readResponse(s.getInputStream());
            answered.set(true);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("chunked body without end (%s): %s after %d ms, %d KiB sent by then (limit %d KiB)%n", what,
                    response.lines().findFirst().orElse("no answer"), ms, sent.get() >> 10, WorkerServer.MAX_REQUEST_BYTES >> 10);
            s.close();
            writing.get(30, TimeUnit.SECONDS);
            return response;
        } finally {
            writer.shutdownNow();
        }
    }

    /** The status line, headers and as much of the body as came before the connection closed. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        try {
            for (int n; (n = in.read(b)) > 0; ) {
                buf.write(b, 0, n);
                if (buf.toString(StandardCharsets.UTF_8).contains("\"}")) break; // the error's end
            }
        } catch (IOException reset) {
            // closed while we were still sending: what came before is the answer
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void boundedBodyReadsAtMostOneBytePastTheLimit() throws Exception {
        assertEquals("abc", new String(BoundedBody.read(new ByteArrayInputStream("abc".getBytes()), -1, 3)));
        CountingStream endless = new CountingStream();
        try {
            BoundedBody.read(endless, -1, 1000);
            throw new AssertionError("an endless body must be refused");
        } catch (BoundedBody.TooLarge expected) {
            assertEquals(1001, endless.read, "read one byte past the limit, no more");
        }
        CountingStream declared = new CountingStream();
        try {
            BoundedBody.read(declared, 1001, 1000);
            throw new AssertionError("a declared length over the limit must be refused");
        } catch (BoundedBody.TooLarge expected) {
            assertEquals(0, declared.read, "refused before a byte is read");
        }
    }

    private static final class CountingStream extends InputStream {
        long read;

        @Override
        public int read() {
            read++;
            return 'x';
        }
    }

    // ---- item 4: plaudit logs --follow when the worker stops ----

    @Test
    void logsFollowSaysInOneLineThatTheWorkerWentAway(@TempDir Path tmp) throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        String url = start(tmp.resolve("data"), (id, out, cancelled) -> {
            running.countDown();
            while (!cancelled.getAsBoolean()) Thread.sleep(10);
        });
        String id = submit(url);
        assertTrue(running.await(10, TimeUnit.SECONDS));
        Path tokenFile = Files.writeString(tmp.resolve("token"), WorkerFixture.TOKEN + "\n");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            ExecutorService cli = Executors.newSingleThreadExecutor();
            Future<Integer> logs = cli.submit(() -> PlauditCli.run("logs", id, "--follow", "--url", url, "--token-file",
                    tokenFile.toString()));
            long until = System.currentTimeMillis() + 20_000;
            while (!buf.toString(StandardCharsets.UTF_8).contains(id + ": running")) {
                assertTrue(System.currentTimeMillis() < until, "logs shows the job running");
                Thread.sleep(20);
            }
            server.close(); // the worker goes away mid-follow
            server = null;
            code = logs.get(30, TimeUnit.SECONDS);
            cli.shutdown();
        } finally {
            System.setErr(stderr);
        }
        List<String> said = buf.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("worker:")).toList();
        assertEquals(2, code, String.join("\n", said));
        List<String> error = said.stream().filter(l -> l.startsWith("plaudit logs:")).toList();
        assertEquals(1, error.size(), String.join("\n", said));
        assertTrue(error.get(0).startsWith("plaudit logs: lost the connection to the worker at " + url + "/v1 while following "
                + id + " ("), error.get(0));
        assertTrue(error.get(0).endsWith("); run the same command again to go on"), error.get(0));
        assertFalse(said.stream().anyMatch(l -> l.startsWith("\tat ") || l.contains("internal error")), String.join("\n", said));
    }

    // ---- item 5: hygiene ----

    @Test
    void theArtifactListingLeavesOutLinksThatLeadOut(@TempDir Path tmp) throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path secret = Files.writeString(outside.resolve("secret.txt"), "TOP-SECRET".repeat(1000));
        String url = start(tmp.resolve("data"), (id, out, cancelled) -> {
            Files.writeString(out.resolve("summary.csv"), "metric,value\n");
            Files.createSymbolicLink(out.resolve("link.txt"), secret);
            Files.createSymbolicLink(out.resolve("dir"), outside);
            Files.createSymbolicLink(out.resolve("inner.csv"), out.resolve("summary.csv"));
        });
        String id = submit(url);
        WorkerServerTest.waitFor(url, id, "DONE");
        JsonNode list = WorkerFixture.json(WorkerFixture.call("GET", url + "/v1/jobs/" + id + "/artifacts", WorkerFixture.TOKEN, null));
        List<String> paths = new ArrayList<>();
        list.forEach(f -> paths.add(f.get("path").asText()));
        assertEquals(List.of("summary.csv"), paths, list.toString());
    }

    @Test
    void theBearerSchemeIsCaseInsensitiveAndTheTokenExact() {
        Auth auth = new Auth("T0ken-sixteen-ch");
        for (String ok : List.of("Bearer T0ken-sixteen-ch", "bearer T0ken-sixteen-ch", "BEARER T0ken-sixteen-ch", "bEaReR T0ken-sixteen-ch")) {
            assertTrue(auth.accepts(ok), ok);
        }
        for (String bad : List.of("Bearer   T0ken-sixteen-ch  ", "Bearer  T0ken-sixteen-ch", "Bearer T0ken-sixteen-ch ",
                "Bearer\tT0ken-sixteen-ch", "BearerT0ken-sixteen-ch", " Bearer T0ken-sixteen-ch", "Bearer", "Bearer ",
                "Basic T0ken-sixteen-ch", "Bearer t0ken-sixteen-ch", "Bearer T0ken-sixteen-c", "")) {
            assertFalse(auth.accepts(bad), "'" + bad + "'");
        }
    }

    @Test
    void overHttpLowerCaseBearerIsAcceptedAndPaddedTokensRefused(@TempDir Path tmp) throws Exception {
        String url = start(tmp, (id, out, cancelled) -> { });
        HttpClient http = HttpClient.newHttpClient();
        for (var c : List.of(new Object[] {"bearer " + WorkerFixture.TOKEN, 200}, new Object[] {"BEARER " + WorkerFixture.TOKEN, 200},
                new Object[] {"Bearer   " + WorkerFixture.TOKEN + "  ", 401}, new Object[] {"Bearer  " + WorkerFixture.TOKEN, 401})) {
            var r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/jobs")).header("Authorization", (String) c[0]).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(c[1], r.statusCode(), "'" + c[0] + "'");
        }
    }
}
