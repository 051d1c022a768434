package plaudit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code plaudit jobs}: a worker's jobs. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "Lists a worker's jobs, oldest first.")
public final class JobsCommand implements Callable<Integer> {
    @Mixin
    ClientOptions worker;

    @Override
    public Integer call() {
        System.out.printf("%-12s %-9s %-24s %-8s %s%n", "id", "status", "submitted", "attempts", "error");
        for (JsonNode j : worker.client().jobs()) {
            System.out.printf("%-12s %-9s %-24s %-8d %s%n", j.get("id").asText(), j.get("status").asText(),
                    j.get("submitted").asText(), j.get("attempts").asInt(), j.hasNonNull("error") ? j.get("error").asText() : "");
        }
        return 0;
    }
}
