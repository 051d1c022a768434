package plaudit.cli;

import plaudit.worker.WorkerClient;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import plaudit.UserError;
import plaudit.experiment.Experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code plaudit submit SPEC.json}: queues an experiment on a worker. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Sends an experiment (JSON, as PlauditExperiment.toJson() writes it) to a worker; prints the job id.")
public final class SubmitCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "The experiment as JSON; fields left out keep their defaults.")
    Path spec;
    @Mixin
    ClientOptions worker;
    @Option(names = "--reward", description = "Kotlin source of the reward, a lambda from the reward model: { rm -> … }.")
    Path reward;
    @Option(names = "--follow", description = "Then show the job's progress until it ends.")
    boolean follow;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(spec)) throw new UserError("no experiment file at " + spec);
        String json = Files.readString(spec);
        Experiment e = Experiment.fromJson(json); // fails here, naming the field, rather than at the worker
        WorkerClient client = worker.client();
        JsonNode job = client.submit(e.toJson(), reward == null ? null : Files.readString(reward));
        String id = job.get("id").asText();
        System.out.println(id);
        return follow ? ClientOptions.follow(client, id, e, true) : 0;
    }
}
