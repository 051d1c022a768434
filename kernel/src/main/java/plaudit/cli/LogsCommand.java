package plaudit.cli;

import plaudit.worker.WorkerClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import plaudit.experiment.Experiment;

import java.util.concurrent.Callable;

/** {@code plaudit logs JOB}: a job's progress, as a local run shows it, or its raw events. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Shows a job's progress so far (--follow: until it ends); --json prints the raw events (NDJSON).")
public final class LogsCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "The job id (plaudit jobs lists them).")
    String job;
    @Mixin
    ClientOptions worker;
    @Option(names = {"-f", "--follow"}, description = "Keep showing new events until the job ends.")
    boolean follow;
    @Option(names = "--json", description = "Print each event as a JSON line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        WorkerClient client = worker.client();
        if (json) {
            ClientOptions.events(client, job, follow, e -> System.out.println(e.toString()));
            return 0;
        }
        return ClientOptions.follow(client, job, Experiment.fromJson(client.spec(job)), follow);
    }
}
