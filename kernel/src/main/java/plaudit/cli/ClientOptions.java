package plaudit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import plaudit.UserError;
import plaudit.experiment.Experiment;
import plaudit.worker.Job;
import plaudit.worker.JobProgress;
import plaudit.worker.WorkerClient;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.function.Consumer;

/** The worker a client command talks to: {@code --url} and {@code --token-file}. */
public final class ClientOptions {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8470", description = "The worker (default: ${DEFAULT-VALUE}).")
    String url;
    @Option(names = "--token-file", required = true, description = "File whose first line is the worker's token.")
    Path tokenFile;

    WorkerClient client() {
        return new WorkerClient(url, WorkerClient.token(tokenFile));
    }

    /** Shows job {@code id}'s progress (until it ends, with {@code follow}); 0 if it is done, else 1. */
    static int follow(WorkerClient client, String id, Experiment e, boolean follow) {
        try (JobProgress p = new JobProgress(e)) {
            events(client, id, follow, p);
            return p.job() != null && "DONE".equals(p.job().get("status").asText()) ? 0 : 1;
        }
    }

    /**
     * The job's events to {@code onEvent}; with {@code follow}, until the job ends. A stream that breaks off before
     * then (the worker stopped) is one line naming the worker and the job, not a stack trace.
     */
    static void events(WorkerClient client, String id, boolean follow, Consumer<JsonNode> onEvent) {
        JsonNode[] last = new JsonNode[1];
        try {
            client.events(id, 0, follow, e -> {
                if ("status".equals(e.path("type").asText())) last[0] = e.get("job");
                onEvent.accept(e);
            });
            boolean ended = last[0] != null && Job.Status.valueOf(last[0].get("status").asText()).terminal();
            if (follow && !ended) throw client.lostConnection(id, "the worker ended the stream before the job ended");
        } catch (WorkerClient.LostConnection lost) {
            throw new UserError(lost.getMessage() + "; run the same command again to go on");
        }
    }
}
