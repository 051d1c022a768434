package plaudit.cli;

import plaudit.experiment.Experiment;
import plaudit.worker.JobProgress;
import plaudit.worker.WorkerClient;

import picocli.CommandLine.Option;

import java.nio.file.Path;

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
            client.events(id, 0, follow, p);
            return p.job() != null && "DONE".equals(p.job().get("status").asText()) ? 0 : 1;
        }
    }
}
