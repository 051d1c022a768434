package plaudit.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import plaudit.UserError;
import plaudit.experiment.Experiment;
import plaudit.model.Devices;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The worker's HTTP API, version 1 (the table is in docs/worker.md):
 * <pre>
 * GET    /v1/health                        no token: {"status":"ok"}
 * POST   /v1/jobs                          {"experiment":{…}, "reward":"Kotlin source"?} → 201 the job
 * GET    /v1/jobs                          every job
 * GET    /v1/jobs/ID                       one job
 * GET    /v1/jobs/ID/spec                  its experiment, every field
 * GET    /v1/jobs/ID/events[?from=N&amp;follow=false]   NDJSON: status, metrics rows, samples ({@link JobEvents})
 * POST   /v1/jobs/ID/cancel                cancels it
 * GET    /v1/jobs/ID/artifacts             every file the run wrote: [{"path":…,"size":…}]
 * GET    /v1/jobs/ID/artifacts/PATH        one of them
 * </pre>
 * Every route but health needs {@code Authorization: Bearer TOKEN} (401 otherwise, before anything else is looked at).
 * Errors are {@code {"error": "…"}}: 400 for a bad request (a bad spec names the field), 404 for no such job or file,
 * 413 for a body over the limit, however it is sent ({@link BoundedBody}: every route that reads a body).
 */
public final class WorkerServer implements AutoCloseable {
    /** Largest request body: a spec and a reward source are a few kilobytes. */
    public static final int MAX_REQUEST_BYTES = 1 << 20;
    private static final long POLL_MILLIS = 100;
    private static final long HEARTBEAT_MILLIS = 10_000;

    private final JobStore store;
    private final JobQueue queue;
    private final Auth auth;
    private final Javalin app;
    private final Map<String, JobEvents> events = new ConcurrentHashMap<>();
    private final Set<JobEvents> following = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "plaudit-events");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param tls a keystore and its password for HTTPS, or null for plain HTTP
     */
    public WorkerServer(JobStore store, JobQueue queue, Auth auth, String bind, int port, Tls tls) {
        this.store = store;
        this.queue = queue;
        this.auth = auth;
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = MAX_REQUEST_BYTES;
            c.http.disableCompression(); // streams flush line by line
            // one thread per open event stream, and the rest: hundreds of notebooks may follow one job
            c.jetty.threadPool = new QueuedThreadPool(1024, 8, 60_000);
            c.jetty.defaultHost = bind;
            c.jetty.defaultPort = port;
            if (tls != null) c.jetty.addConnector((server, http) -> tls.connector(server, http, bind, port));
        });
        app.before(this::authorise);
        app.get("/v1/health", ctx -> json(ctx, Map.of("status", "ok")));
        app.post("/v1/jobs", this::submit);
        app.get("/v1/jobs", ctx -> json(ctx, store.list().stream().map(JobStore::view).toList()));
        app.get("/v1/jobs/{id}", ctx -> json(ctx, JobStore.view(job(ctx))));
        app.get("/v1/jobs/{id}/spec", ctx -> ctx.contentType("application/json").result(store.experiment(job(ctx).id()).toJson()));
        app.post("/v1/jobs/{id}/cancel", ctx -> json(ctx, JobStore.view(queue.cancel(job(ctx).id()))));
        app.get("/v1/jobs/{id}/events", this::events);
        app.get("/v1/jobs/{id}/artifacts", ctx -> json(ctx, artifacts(job(ctx).id())));
        app.get("/v1/jobs/{id}/artifacts/<path>", this::artifact);
        app.exception(UserError.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        app.exception(NoSuchJob.class, (e, ctx) -> error(ctx, HttpStatus.NOT_FOUND, e.getMessage()));
        app.exception(BoundedBody.TooLarge.class, (e, ctx) -> {
            ctx.header("Connection", "close"); // the rest of the body is discarded as it arrives; the connection is not reused
            error(ctx, HttpStatus.CONTENT_TOO_LARGE, e.getMessage());
        });
    }

    /** HTTPS: the keystore (PKCS12 or JKS) and its password. */
    public record Tls(Path keystore, String password) {
        ServerConnector connector(Server server, HttpConfiguration http, String bind, int port) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(keystore.toString());
            ssl.setKeyStorePassword(password);
            http.addCustomizer(new SecureRequestCustomizer());
            ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
            c.setHost(bind);
            c.setPort(port);
            return c;
        }
    }

    public WorkerServer start() {
        app.start();
        poller.scheduleWithFixedDelay(this::pollAll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The port it listens on (the one chosen when started on port 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        poller.shutdownNow();
        app.stop();
    }

    private void authorise(Context ctx) {
        if (ctx.path().equals("/v1/health")) return;
        if (!auth.accepts(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer");
            error(ctx, HttpStatus.UNAUTHORIZED, "a valid token is required: Authorization: Bearer TOKEN");
            ctx.skipRemainingHandlers();
        }
    }

    private void submit(Context ctx) {
        JsonNode body;
        try {
            body = JobStore.JSON.readTree(BoundedBody.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(),
                    MAX_REQUEST_BYTES));
        } catch (IOException e) {
            throw new UserError("the request body is not JSON: " + e.getMessage());
        }
        if (body == null || !body.isObject() || !body.has("experiment")) {
            throw new UserError("the request body must be {\"experiment\": {…}, \"reward\": \"Kotlin source\" (optional)}");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("experiment") && !f.equals("reward")) {
                throw new UserError("unknown field '" + f + "'; known fields here: [experiment, reward]");
            }
        }
        Experiment e = Experiment.fromJson(body.get("experiment").toString());
        // the job runs on the worker's device; a spec asking for a GPU this machine lacks is refused, not run on the CPU
        Devices.parse(e.device());
        e.checkModelFolder(); // so is a model folder this machine lacks
        String reward = null;
        if (body.hasNonNull("reward")) {
            if (!body.get("reward").isTextual()) throw new UserError("field 'reward' must be Kotlin source text");
            reward = body.get("reward").asText();
            new RewardSource(reward).compiled(); // a compile error is the caller's 400, not a failed job later
        }
        Job job = store.create(e, reward);
        queue.enqueue(job.id());
        ctx.status(HttpStatus.CREATED);
        json(ctx, JobStore.view(job));
    }

    private void events(Context ctx) throws IOException {
        Job job = job(ctx);
        boolean follow = !"false".equals(ctx.queryParam("follow"));
        int from = intParam(ctx, "from");
        JobEvents ev = events.computeIfAbsent(job.id(), id -> new JobEvents(id, store));
        ev.poll();
        if (!ev.closed()) following.add(ev);
        ctx.contentType("application/x-ndjson");
        ctx.status(HttpStatus.OK);
        OutputStream os = ctx.res().getOutputStream();
        while (true) {
            List<String> batch;
            try {
                batch = ev.since(from, follow ? HEARTBEAT_MILLIS : 0);
            } catch (InterruptedException stopping) {
                return; // the worker is stopping: the stream ends before the job, which the client reports
            }
            for (String line : batch) os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            from += batch.size();
            // an empty line keeps idle connections (and proxies) open during long stages; readers skip it
            if (batch.isEmpty() && follow && !ev.closed()) os.write('\n');
            os.flush();
            if (!follow || (ev.closed() && from >= ev.size())) return;
        }
    }

    private void pollAll() {
        for (JobEvents ev : following) {
            try {
                ev.poll();
                if (ev.closed()) following.remove(ev);
            } catch (RuntimeException e) {
                System.err.println("worker: cannot follow a job's files: " + e);
            }
        }
    }

    /** The job's files, as the artifact route serves them: links are left out, wherever they lead. */
    private List<Map<String, Object>> artifacts(String id) throws IOException {
        Path out = store.out(id).toRealPath();
        List<Map<String, Object>> files = new ArrayList<>();
        try (Stream<Path> all = Files.walk(out)) {
            for (Path p : (Iterable<Path>) all.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).sorted()::iterator) {
                String rel = out.relativize(p).toString().replace('\\', '/');
                if (rel.endsWith(".tmp") || rel.contains("/.")) continue; // a write in progress
                Map<String, Object> f = new LinkedHashMap<>();
                try {
                    if (!p.toRealPath().startsWith(out)) continue;
                    f.put("path", rel);
                    f.put("size", Files.size(p));
                } catch (NoSuchFileException gone) {
                    continue; // replaced while listed
                }
                files.add(f);
            }
        }
        return files;
    }

    private void artifact(Context ctx) throws IOException {
        Job job = job(ctx);
        Path out = store.out(job.id()).toRealPath();
        String rel = ctx.pathParam("path");
        Path file = out.resolve(rel).normalize();
        // refused before the file system is asked anything: absolute paths, "..", and links that lead out
        if (rel.startsWith("/") || rel.contains("\\") || !file.startsWith(out)) {
            throw new UserError("artifact path '" + rel + "' is outside the job's folder");
        }
        if (!Files.isRegularFile(file)) throw new NoSuchJob("job " + job.id() + " has no file '" + rel + "'");
        if (!file.toRealPath().startsWith(out)) throw new UserError("artifact path '" + rel + "' is outside the job's folder");
        ctx.contentType(rel.endsWith(".csv") ? "text/csv" : rel.endsWith(".json") ? "application/json"
                : rel.endsWith(".svg") ? "image/svg+xml" : "application/octet-stream");
        ctx.header("Content-Length", Long.toString(Files.size(file)));
        try (var in = Files.newInputStream(file)) {
            in.transferTo(ctx.res().getOutputStream());
        }
    }

    private Job job(Context ctx) {
        String id = ctx.pathParam("id");
        Job j = JobStore.ID.matcher(id).matches() ? store.get(id) : null;
        if (j == null) throw new NoSuchJob("no job '" + id + "'");
        return j;
    }

    private static int intParam(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) return 0;
        try {
            int i = Integer.parseInt(v);
            if (i >= 0) return i;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UserError("query parameter '" + name + "' must be a non-negative integer, got '" + v + "'");
    }

    private static void json(Context ctx, Object value) {
        try {
            ctx.contentType("application/json").result(JobStore.JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void error(Context ctx, HttpStatus status, String message) {
        ctx.status(status);
        json(ctx, Map.of("error", message));
    }

    /** A 404: no such job, or no such file in it. */
    static final class NoSuchJob extends RuntimeException {
        NoSuchJob(String message) {
            super(message);
        }
    }
}
