package plaudit.worker;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.cli.PlauditCli;
import plaudit.report.MetricsLog;
import plaudit.experiment.Experiment;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's HTTP API on loopback, with jobs that write metrics instead of training (no model involved). */
class WorkerServerTest {
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

    private static String submitBody() {
        return "{\"experiment\":" + WorkerFixture.tinyExperiment() + "}";
    }

    @Test
    @Tag("adversarial")
    void everyRouteButHealthRefusesMissingAndForgedTokens(@TempDir Path tmp) throws Exception {
        String url = start(tmp, (id, out, cancelled) -> Files.writeString(Files.createDirectories(out.resolve("ppo"))
                .resolve("metrics.csv"), "step,loss\n1,2\n"));
        String id = WorkerFixture.json(WorkerFixture.call("POST", url + "/v1/jobs", WorkerFixture.TOKEN, submitBody())).get("id").asText();
        List<String[]> routes = List.of(
                new String[] {"GET", "/v1/jobs"}, new String[] {"POST", "/v1/jobs"}, new String[] {"GET", "/v1/jobs/" + id},
                new String[] {"GET", "/v1/jobs/" + id + "/spec"}, new String[] {"GET", "/v1/jobs/" + id + "/events"},
                new String[] {"POST", "/v1/jobs/" + id + "/cancel"}, new String[] {"GET", "/v1/jobs/" + id + "/artifacts"},
                new String[] {"GET", "/v1/jobs/" + id + "/artifacts/ppo/metrics.csv"}, new String[] {"GET", "/v1/jobs/job-999999"},
                new String[] {"GET", "/v1/no-such-route"}, new String[] {"DELETE", "/v1/jobs/" + id});
        String forgedSameLength = WorkerFixture.TOKEN.substring(0, WorkerFixture.TOKEN.length() - 1) + "X";
        for (String[] r : routes) {
            for (String token : new String[] {null, "", forgedSameLength, WorkerFixture.TOKEN + "x", "Bearer"}) {
                var resp = WorkerFixture.call(r[0], url + r[1], token, r[0].equals("POST") ? submitBody() : null);
                assertEquals(401, resp.statusCode(), r[0] + " " + r[1] + " with token " + token);
                assertFalse(resp.body().contains("step,loss"), "nothing of the job leaks");
            }
        }
        // the right token in another scheme is refused too
        var basic = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/jobs"))
                .header("Authorization", "Basic " + WorkerFixture.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, basic.statusCode());
        assertEquals(200, WorkerFixture.call("GET", url + "/v1/health", null, null).statusCode());
        var jobs = WorkerFixture.call("GET", url + "/v1/jobs", WorkerFixture.TOKEN, null);
        assertEquals(200, jobs.statusCode());
        assertEquals(id, WorkerFixture.json(jobs).get(0).get("id").asText());
    }

    @Test
    @Tag("adversarial")
    void malformedSpecsAreRefusedNamingTheField(@TempDir Path tmp) throws Exception {
        String url = start(tmp, (id, out, cancelled) -> { });
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("{\"experiment\":{\"ppo\":{\"stepz\":3}}}", "ppo.stepz");
        bodies.put("{\"experiment\":{\"sft\":{\"steps\":\"many\"}}}", "sft.steps");
        bodies.put("{\"experiment\":{\"sft\":{\"steps\":-1}}}", "sft.steps = -1 is invalid");
        bodies.put("{\"experiment\":{\"data\":{\"source\":\"myspace\"}}}", "myspace");
        bodies.put("{\"experiment\":{\"model\":{\"from\":\"/no/such/model\"}}}", "model.from = /no/such/model");
        bodies.put("{\"experiment\":{},\"rewards\":\"x\"}", "'rewards'");
        bodies.put("{\"experiment\":{},\"reward\":\"{ rm -> rm }\"}", "Kotlin compiler"); // none in the kernel
        bodies.put("{\"experiment\":{},\"reward\":42}", "reward");
        bodies.put("[1,2]", "experiment");
        bodies.put("not json", "not JSON");
        for (var b : bodies.entrySet()) {
            var r = WorkerFixture.call("POST", url + "/v1/jobs", WorkerFixture.TOKEN, b.getKey());
            assertEquals(400, r.statusCode(), b.getKey() + " -> " + r.body());
            assertTrue(WorkerFixture.json(r).get("error").asText().contains(b.getValue()), b.getKey() + " -> " + r.body());
        }
        var big = WorkerFixture.call("POST", url + "/v1/jobs", WorkerFixture.TOKEN,
                "{\"experiment\":{},\"reward\":\"" + "x".repeat((int) WorkerServer.MAX_REQUEST_BYTES) + "\"}");
        assertEquals(413, big.statusCode());
        assertEquals("[]", WorkerFixture.call("GET", url + "/v1/jobs", WorkerFixture.TOKEN, null).body(), "nothing was queued");
    }

    @Test
    @Tag("adversarial")
    void artifactPathsCannotLeaveTheJobFolder(@TempDir Path tmp) throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "TOP-SECRET");
        String url = start(tmp.resolve("data"), (id, out, cancelled) -> {
            Files.writeString(out.resolve("summary.csv"), "metric,value\n");
            Files.createSymbolicLink(out.resolve("link.txt"), secret);
        });
        String id = WorkerFixture.json(WorkerFixture.call("POST", url + "/v1/jobs", WorkerFixture.TOKEN, submitBody())).get("id").asText();
        waitFor(url, id, "DONE");
        String base = url + "/v1/jobs/" + id + "/artifacts/";
        assertEquals(200, WorkerFixture.call("GET", base + "summary.csv", WorkerFixture.TOKEN, null).statusCode());
        for (String p : List.of("../job.json", "..%2Fjob.json", "%2e%2e/job.json", "%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
                "../../../secret.txt", "..%2F..%2F..%2Fsecret.txt", "%2Fetc%2Fpasswd", "link.txt", "ppo/../../spec.json",
                "..%5C..%5Cjob.json")) {
            var r = WorkerFixture.call("GET", base + p, WorkerFixture.TOKEN, null);
            assertTrue(r.statusCode() == 400 || r.statusCode() == 404, p + " -> " + r.statusCode() + " " + r.body());
            assertFalse(r.body().contains("TOP-SECRET") || r.body().contains("\"status\"") || r.body().contains("root:"), p);
        }
        var list = WorkerFixture.call("GET", url + "/v1/jobs/" + id + "/artifacts", WorkerFixture.TOKEN, null);
        assertTrue(list.body().contains("summary.csv"));
    }

    /** 200 notebooks following one job: every client gets every event; prints clients held and p99 latency. */
    @Test
    @Tag("adversarial")
    void twoHundredClientsFollowOneJob(@TempDir Path tmp) throws Exception {
        int clients = 200, rows = 30;
        CountDownLatch connected = new CountDownLatch(clients);
        String url = start(tmp, (id, out, cancelled) -> {
            assertTrue(connected.await(60, TimeUnit.SECONDS), "clients connected");
            try (MetricsLog log = new MetricsLog("ppo", out.resolve("ppo/metrics.csv"))) {
                for (int i = 1; i <= rows; i++) {
                    log.log(Map.of("step", i, "written_ms", System.currentTimeMillis()));
                    Thread.sleep(50);
                }
            }
        });
        String id = WorkerFixture.json(WorkerFixture.call("POST", url + "/v1/jobs", WorkerFixture.TOKEN, submitBody())).get("id").asText();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<List<long[]>>> results = new ArrayList<>();
        int port = server.port();
        for (int c = 0; c < clients; c++) {
            results.add(pool.submit(() -> {
                // plain sockets: Java's HttpClient funnels every connection through one selector thread, which would
                // measure the client rather than the worker
                List<long[]> got = new ArrayList<>(); // per metrics event: ms since published, ms since written
                boolean first = true;
                try (Socket socket = new Socket("127.0.0.1", port);
                     BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
                    socket.getOutputStream().write(("GET /v1/jobs/" + id + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Authorization: Bearer " + WorkerFixture.TOKEN + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                    for (String line; (line = in.readLine()) != null; ) {
                        if (!line.startsWith("{")) continue; // status line, headers, chunk sizes, heartbeats
                        long now = System.currentTimeMillis();
                        if (first) {
                            connected.countDown();
                            first = false;
                        }
                        JsonNode e = JobStore.JSON.readTree(line);
                        if (e.get("type").asText().equals("metrics")) {
                            got.add(new long[] {now - e.get("time").asLong(), now - e.get("row").get("written_ms").asLong()});
                        }
                    }
                }
                return got;
            }));
        }
        List<Long> published = new ArrayList<>(), written = new ArrayList<>();
        int held = 0;
        for (Future<List<long[]>> f : results) {
            List<long[]> got = f.get(120, TimeUnit.SECONDS);
            if (got.size() == rows) held++;
            for (long[] g : got) {
                published.add(g[0]);
                written.add(g[1]);
            }
        }
        pool.shutdown();
        Collections.sort(published);
        Collections.sort(written);
        long p50 = published.get(published.size() / 2);
        long p99 = published.get((int) (0.99 * (published.size() - 1)));
        long p99Written = written.get((int) (0.99 * (written.size() - 1)));
        System.out.printf("worker load: %d/%d clients held to the end, %d metrics events each; stream latency p50 %d ms, "
                + "p99 %d ms from publication, p99 %d ms from the metrics file (100 ms polling)%n", held, clients, rows, p50,
                p99, p99Written);
        assertEquals(clients, held);
        assertTrue(p99 < 5_000, "p99 " + p99 + " ms");
    }

    @Test
    void queuedJobsCancelAndInterruptedJobsAreRequeued(@TempDir Path tmp) throws Exception {
        JobStore store = new JobStore(tmp);
        Experiment e = Experiment.fromJson(WorkerFixture.tinyExperiment());
        Job wasRunning = store.create(e, null);
        store.update(wasRunning.id(), j -> j.started("2026-01-01T00:00:00Z")); // as a killed worker left it
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        String url = start(tmp, (id, out, cancelled) -> {
            ran.add(id);
            release.await(30, TimeUnit.SECONDS);
        });
        String second = WorkerFixture.json(WorkerFixture.call("POST", url + "/v1/jobs", WorkerFixture.TOKEN, submitBody())).get("id").asText();
        var cancelled = WorkerFixture.json(WorkerFixture.call("POST", url + "/v1/jobs/" + second + "/cancel", WorkerFixture.TOKEN, null));
        assertEquals("CANCELLED", cancelled.get("status").asText());
        release.countDown();
        JsonNode first = waitFor(url, wasRunning.id(), "DONE");
        assertEquals(2, first.get("attempts").asInt(), "started again after the restart");
        assertEquals(List.of(wasRunning.id()), ran, "the cancelled job never ran");
        assertNotEquals(wasRunning.id(), second);
    }

    @Test
    void aRunningJobStopsWhenCancelled(@TempDir Path tmp) throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        String url = start(tmp, (id, out, cancelled) -> {
            running.countDown();
            while (!cancelled.getAsBoolean()) Thread.sleep(10); // as ExperimentRunner asks at every stage and PPO step
            throw new CancellationException("stopped");
        });
        String id = WorkerFixture.json(WorkerFixture.call("POST", url + "/v1/jobs", WorkerFixture.TOKEN, submitBody())).get("id").asText();
        assertTrue(running.await(30, TimeUnit.SECONDS));
        assertEquals("RUNNING", WorkerFixture.json(WorkerFixture.call("POST", url + "/v1/jobs/" + id + "/cancel",
                WorkerFixture.TOKEN, null)).get("status").asText(), "stops at its next check");
        assertEquals("CANCELLED", waitForEnd(url, id).get("status").asText());
    }

    private static JsonNode waitForEnd(String url, String id) throws Exception {
        for (int i = 0; i < 600; i++) {
            JsonNode j = WorkerFixture.json(WorkerFixture.call("GET", url + "/v1/jobs/" + id, WorkerFixture.TOKEN, null));
            if (Job.Status.valueOf(j.get("status").asText()).terminal()) return j;
            Thread.sleep(50);
        }
        throw new AssertionError(id + " did not end");
    }

    @Test
    void httpsWithAKeystore(@TempDir Path tmp) throws Exception {
        Path keystore = tmp.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keyalg", "RSA", "-keysize", "2048", "-alias", "plaudit", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        assertEquals(0, keytool.waitFor(), new String(keytool.getInputStream().readAllBytes()));
        JobStore store = new JobStore(tmp.resolve("data"));
        queue = new JobQueue(store, (id, out, cancelled) -> { });
        server = new WorkerServer(store, queue, new Auth(WorkerFixture.TOKEN), "127.0.0.1", 0,
                new WorkerServer.Tls(keystore, "changeit")).start();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            trust.load(in, "changeit".toCharArray());
        }
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        var ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
        String url = "https://127.0.0.1:" + server.port();
        var jobs = https.send(HttpRequest.newBuilder(URI.create(url + "/v1/jobs")).header("Authorization", "Bearer "
                + WorkerFixture.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, jobs.statusCode());
        assertEquals("[]", jobs.body());
        var anonymous = https.send(HttpRequest.newBuilder(URI.create(url + "/v1/jobs")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        // and no plain HTTP on that port: the connection fails or is answered with an error, never with the API
        try {
            assertNotEquals(200, WorkerFixture.call("GET", "http://127.0.0.1:" + server.port() + "/v1/health", null, null).statusCode());
        } catch (UncheckedIOException expected) {
            // refused at the TLS handshake
        }
    }

    @Test
    void cliListsJobsAndShowsTheirLogs(@TempDir Path tmp) throws Exception {
        String url = start(tmp.resolve("data"), (id, out, cancelled) -> {
            try (MetricsLog log = new MetricsLog("sft", out.resolve("sft/metrics.csv"))) {
                log.log(Map.of("step", 1, "loss", 4.5));
            }
        });
        Path tokenFile = Files.writeString(tmp.resolve("token"), WorkerFixture.TOKEN + "\n");
        Path spec = Files.writeString(tmp.resolve("spec.json"), WorkerFixture.tinyExperiment());
        var out = new ByteArrayOutputStream();
        var stdout = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            assertEquals(0, PlauditCli.run("submit", spec.toString(), "--url", url, "--token-file", tokenFile.toString(), "--follow"));
            assertEquals(0, PlauditCli.run("jobs", "--url", url, "--token-file", tokenFile.toString()));
            assertEquals(0, PlauditCli.run("logs", "job-000001", "--json", "--url", url, "--token-file", tokenFile.toString()));
            Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"ppo\": {\"stepz\": 1}}");
            assertEquals(2, PlauditCli.run("submit", bad.toString(), "--url", url, "--token-file", tokenFile.toString()));
            Path forged = Files.writeString(tmp.resolve("forged"), "nope\n");
            assertEquals(2, PlauditCli.run("jobs", "--url", url, "--token-file", forged.toString()));
        } finally {
            System.setOut(stdout);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("job-000001"), text);
        assertTrue(text.contains("job-000001   DONE"), text);
        assertTrue(text.contains("\"type\":\"metrics\",\"stage\":\"sft\",\"row\":{") && text.contains("\"loss\":4.5"), text);
    }

    static JsonNode waitFor(String url, String id, String status) throws Exception {
        long until = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < until) {
            JsonNode j = WorkerFixture.json(WorkerFixture.call("GET", url + "/v1/jobs/" + id, WorkerFixture.TOKEN, null));
            if (j.get("status").asText().equals(status)) return j;
            if (Job.Status.valueOf(j.get("status").asText()).terminal()) throw new AssertionError(id + " ended " + j);
            Thread.sleep(100);
        }
        throw new AssertionError(id + " did not reach " + status);
    }
}
