package plaudit.worker;

import com.fasterxml.jackson.databind.JsonNode;
import plaudit.experiment.Experiment;
import plaudit.report.Progress;

import java.io.PrintStream;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Shows a remote job's events as a local run shows itself: one {@link Progress} bar per stage with its loss (PPO: reward,
 * KL and gold), and a line when the job's status changes. Used by {@code plaudit logs} and the DSL's remote runner.
 */
public final class JobProgress implements Consumer<JsonNode>, AutoCloseable {
    private static final Map<String, String[]> SHOWN = Map.of(
            "ppo", new String[] {"objective/scores", "score", "objective/kl", "kl", "objective/gold", "gold"},
            "rm", new String[] {"loss", "loss", "accuracy", "acc"});
    private static final String[] DEFAULT_SHOWN = {"loss", "loss", "val_loss", "val_loss"};

    private final Experiment experiment;
    private String stage;
    private Progress bar;
    private JsonNode lastJob;

    /** @param experiment the job's experiment: its stages' step counts are the bars' totals */
    public JobProgress(Experiment experiment) {
        this.experiment = experiment;
    }

    @Override
    public void accept(JsonNode e) {
        switch (e.get("type").asText()) {
            case "metrics" -> metrics(e.get("stage").asText(), e.get("row"));
            case "status" -> status(e.get("job"));
            default -> { } // samples: in the result's tables
        }
    }

    /** The job as the last status event showed it, or null before the first. */
    public JsonNode job() {
        return lastJob;
    }

    private void metrics(String s, JsonNode row) {
        if (!s.equals(stage)) {
            closeBar();
            stage = s;
            bar = new Progress(s, total(s), stream());
        }
        String[] shown = SHOWN.getOrDefault(s, DEFAULT_SHOWN);
        for (int i = 0; i < shown.length; i += 2) {
            JsonNode v = row.get(shown[i]);
            if (v != null && v.isNumber()) bar.set(shown[i + 1], v.asDouble());
        }
        bar.step();
    }

    private void status(JsonNode job) {
        lastJob = job;
        Job.Status s = Job.Status.valueOf(job.get("status").asText());
        if (s.terminal()) closeBar();
        String error = job.hasNonNull("error") ? ": " + job.get("error").asText() : "";
        String attempt = s == Job.Status.RUNNING && job.get("attempts").asInt() > 1
                ? " (attempt " + job.get("attempts").asInt() + ", resuming from its checkpoints)" : "";
        stream().println(job.get("id").asText() + ": " + s.name().toLowerCase() + attempt + error);
    }

    private long total(String s) {
        return switch (s) {
            case "pretrain" -> experiment.pretrain().steps();
            case "sft" -> experiment.sft().steps();
            case "rm" -> experiment.rewardModel().steps();
            case "ppo" -> experiment.ppo().steps();
            default -> 0;
        };
    }

    private void closeBar() {
        if (bar != null) bar.close();
        bar = null;
        stage = null;
    }

    /** Where {@link Progress} draws: standard output in a notebook, standard error elsewhere. */
    private static PrintStream stream() {
        return "stdout".equals(System.getProperty("plaudit.progress.stream")) ? System.out : System.err;
    }

    @Override
    public void close() {
        closeBar();
    }
}
