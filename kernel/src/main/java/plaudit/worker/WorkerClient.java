package plaudit.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** A worker's {@code /v1} API from the client side (CLI and the DSL's remote runner), on Java's HttpClient. */
public final class WorkerClient {
    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param url the worker, e.g. {@code http://gpu-box:8470} */
    public WorkerClient(String url, String token) {
        if (token == null || token.isBlank()) throw new UserError("a worker token is required");
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.base = URI.create(u.endsWith("/v1") ? u : u + "/v1");
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
            throw new UserError("worker url '" + url + "' must start with http:// or https://");
        }
        this.token = token.strip();
    }

    /** The token in the first line of {@code file}. */
    public static String token(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
        } catch (IOException e) {
            throw new UserError("--token-file " + file + " cannot be read: " + e.getMessage());
        }
    }

    /** Submits an experiment (its JSON) with an optional Kotlin reward source; returns the queued job. */
    public JsonNode submit(String experimentJson, String rewardSource) {
        ObjectNode body = JobStore.JSON.createObjectNode();
        try {
            body.set("experiment", JobStore.JSON.readTree(experimentJson));
        } catch (IOException e) {
            throw new UserError("the experiment is not JSON: " + e.getMessage());
        }
        if (rewardSource != null) body.put("reward", rewardSource);
        return json(send(request("/jobs").POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .header("Content-Type", "application/json"), HttpResponse.BodyHandlers.ofString()).body());
    }

    public JsonNode jobs() {
        return get("/jobs");
    }

    public JsonNode job(String id) {
        return get("/jobs/" + enc(id));
    }

    /** The job's experiment, as JSON. */
    public String spec(String id) {
        return send(request("/jobs/" + enc(id) + "/spec").GET(), HttpResponse.BodyHandlers.ofString()).body();
    }

    public JsonNode cancel(String id) {
        return json(send(request("/jobs/" + enc(id) + "/cancel").POST(HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /**
     * The job's events ({@link JobEvents}) from number {@code from}, each handed to {@code onEvent} as it arrives;
     * with {@code follow}, until the job has ended. Returns the number of the next event.
     */
    public int events(String id, int from, boolean follow, Consumer<JsonNode> onEvent) {
        HttpResponse<Stream<String>> r = send(request("/jobs/" + enc(id) + "/events?from=" + from + "&follow=" + follow)
                .GET(), HttpResponse.BodyHandlers.ofLines());
        int next = from;
        try (Stream<String> lines = r.body()) {
            Iterator<String> it = lines.iterator();
            while (true) {
                String line;
                try {
                    if (!it.hasNext()) break;
                    line = it.next();
                } catch (UncheckedIOException e) {
                    throw lostConnection(id, reason(e.getCause()));
                }
                if (line.isBlank()) continue; // heartbeat
                JsonNode e = json(line);
                next = e.get("seq").asInt() + 1;
                onEvent.accept(e);
            }
        }
        return next;
    }

    /** The stream of a job's events broke off before the job ended: the worker stopped, or the network failed. */
    public static final class LostConnection extends UserError {
        LostConnection(String message) {
            super(message);
        }
    }

    /** @param reason what broke the stream, e.g. "connection reset" */
    public LostConnection lostConnection(String id, String reason) {
        return new LostConnection("lost the connection to the worker at " + base + " while following " + id + " ("
                + reason + ")");
    }

    private static String reason(Throwable e) {
        String m = e == null ? null : e.getMessage();
        return m == null || m.isBlank() ? (e == null ? "closed" : e.getClass().getSimpleName()) : m.strip().lines().findFirst().orElse(m);
    }

    /** Paths of every file the job wrote. */
    public List<String> artifacts(String id) {
        List<String> paths = new ArrayList<>();
        for (JsonNode f : get("/jobs/" + enc(id) + "/artifacts")) paths.add(f.get("path").asText());
        return paths;
    }

    /** Downloads one artifact to {@code target} (through a temporary file: a failed download leaves nothing). */
    public void download(String id, String path, Path target) {
        StringBuilder p = new StringBuilder();
        for (String part : path.split("/")) p.append('/').append(enc(part));
        HttpResponse<InputStream> r = send(request("/jobs/" + enc(id) + "/artifacts" + p).GET(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (target.getParent() != null) Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".part");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot download " + path + " of " + id + " to " + target, e);
        }
    }

    private JsonNode get(String path) {
        return json(send(request(path).GET(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token);
    }

    /** Sends; a status other than 2xx is a {@link UserError} with the worker's message. */
    private <T> HttpResponse<T> send(HttpRequest.Builder req, HttpResponse.BodyHandler<T> handler) {
        HttpRequest request = req.build();
        HttpResponse<T> r;
        try {
            r = http.send(request, handler);
        } catch (IOException e) {
            throw new UserError("worker " + base + " cannot be reached: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while talking to worker " + base);
        }
        if (r.statusCode() / 100 != 2) {
            String msg = errorMessage(r.body());
            throw new UserError("worker " + request.method() + " " + request.uri().getPath() + ": HTTP " + r.statusCode()
                    + (msg.isEmpty() ? "" : ": " + msg));
        }
        return r;
    }

    private static String errorMessage(Object body) {
        try {
            String text = body instanceof String s ? s : body instanceof InputStream in
                    ? new String(in.readNBytes(8192), StandardCharsets.UTF_8)
                    : body instanceof Stream<?> st ? String.join("\n", st.map(String::valueOf).toList()) : "";
            JsonNode n = JobStore.JSON.readTree(text);
            return n != null && n.has("error") ? n.get("error").asText() : text.strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static JsonNode json(String text) {
        try {
            return JobStore.JSON.readTree(text);
        } catch (IOException e) {
            throw new UserError("the worker answered something that is not JSON: " + e.getMessage());
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
