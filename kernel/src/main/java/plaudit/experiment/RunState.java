package plaudit.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import plaudit.FileTrees;
import plaudit.model.Checkpoint;
import plaudit.model.FolderTokenizer;
import plaudit.report.MetricsLog;
import plaudit.report.Plot;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;
import plaudit.train.Sequences;
import plaudit.train.SupervisedLoop;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * What the stages of one run share: its folder, whether it resumes an earlier run's checkpoints, its cancellation,
 * and everything recorded so far (headline numbers, metrics, samples, plots, checkpoints).
 */
final class RunState {
    /** Where a resumable run keeps the summary measured up to a stage's checkpoint ({@code NAME/summary-so-far.json}). */
    private static final String SUMMARY_SO_FAR = "summary-so-far.json";
    /** Where a resumable run keeps a training stage's checkpoint while the stage runs ({@code NAME/resume}). */
    private static final String RESUME = "resume";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path out;
    final String label;
    final boolean resume;
    private final BooleanSupplier cancelled;
    final Map<String, Double> summary = new LinkedHashMap<>();
    final Map<String, Table> metrics = new LinkedHashMap<>();
    final Map<String, Table> samples = new LinkedHashMap<>();
    final Map<String, Plot> plots = new LinkedHashMap<>();
    final Map<String, Path> checkpoints = new LinkedHashMap<>();

    RunState(Path out, String label, boolean resume, BooleanSupplier cancelled) {
        this.out = out;
        this.label = label;
        this.resume = resume;
        this.cancelled = cancelled;
    }

    /** Announces a stage on standard error, or stops the run if it was cancelled. */
    void stage(String what) {
        if (cancelled()) throw new CancellationException(label + ": cancelled before " + what);
        System.err.println(label + ": " + what);
    }

    boolean cancelled() {
        return cancelled.getAsBoolean();
    }

    /** A step hook that stops the run after step {@code n} of training {@code name} once it is cancelled. */
    IntConsumer cancelAt(String name) {
        return n -> {
            if (cancelled()) throw new CancellationException(label + ": cancelled at " + name + " step " + n);
        };
    }

    /**
     * The per-step control of supervised stage {@code name} of {@code steps} steps: cancellation after every step
     * and, in a resumable run, a checkpoint in {@code NAME/resume} {@link Recipe#CHECKPOINTS_PER_RUN} times per
     * run, which a restarted run continues from (the stage's own {@code NAME/checkpoint} means "finished").
     */
    SupervisedLoop.Control control(String name, int steps) {
        return resume ? new SupervisedLoop.Control(out.resolve(name + "/" + RESUME), Recipe.checkpointEvery(steps),
                cancelAt(name)) : new SupervisedLoop.Control(null, 0, cancelAt(name));
    }

    /** The metrics log of a stage under {@code control}: a resumed stage keeps the rows its checkpoint covers. */
    static MetricsLog metricsLog(String name, Path csv, SupervisedLoop.Control control) {
        int done = control.stepsDone();
        return done > 0 ? MetricsLog.resume(name, csv, done) : new MetricsLog(name, csv);
    }

    /** Deletes the in-progress checkpoints of {@code stages} once a finished stage's checkpoint stands for them. */
    void dropProgress(String... stages) throws IOException {
        for (String stage : stages) {
            FileTrees.delete(out.resolve(stage + "/" + RESUME));
        }
    }

    /** Whether an earlier run of a resumable runner finished stage {@code name} (checkpoints are written atomically). */
    boolean completed(String name) {
        return resume && Files.isRegularFile(out.resolve(name + "/checkpoint/" + Checkpoint.CONFIG));
    }

    /**
     * Takes over a completed stage: its checkpoint, the metrics of {@code metricsOf} that exist and the headline
     * numbers measured up to it, as {@link #checkpoint} saved them.
     *
     * @param what the stages the checkpoint stands for, as announced
     */
    Path resumed(String name, String what, List<String> metricsOf) throws IOException {
        Path dir = out.resolve(name + "/checkpoint");
        stage(what + ": resumed from " + dir);
        for (String stage : metricsOf) {
            Path csv = out.resolve(stage + "/metrics.csv");
            if (Files.exists(csv)) metrics.put(stage, MetricsLog.read(stage, csv));
        }
        checkpoints.put(name, dir);
        Map<?, ?> saved = JSON.readValue(out.resolve(name + "/" + SUMMARY_SO_FAR).toFile(), Map.class);
        saved.forEach((k, v) -> summary.putIfAbsent((String) k, ((Number) v).doubleValue()));
        return dir;
    }

    /** Writes a stage's checkpoint, after the headline numbers so far, which a resumed run reads back. */
    void checkpoint(String name, CheckpointWrite write) throws IOException {
        Path dir = out.resolve(name + "/checkpoint");
        if (resume) {
            Path tmp = out.resolve(name + "/" + SUMMARY_SO_FAR + ".tmp");
            JSON.writeValue(tmp.toFile(), summary);
            Files.move(tmp, out.resolve(name + "/" + SUMMARY_SO_FAR), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
        write.to(dir);
        checkpoints.put(name, dir);
    }

    /**
     * The one place where a run decides how a prompt and a reply become ids, for every stage after it: the chat
     * template of {@code folder} (its tokenizer_config.json, as {@code ChatFormat.inFolder} reads it) when
     * {@code e.chatTemplate()} and it has one, else plain text stopping on the folder's end-of-sequence ids. Called by
     * {@link SftStage} for a new run and a resumed one, so both decide alike.
     *
     * @param folder where {@code tok} came from: {@code model.from}, or SFT's checkpoint when resumed (its tokenizer
     *               files, tokenizer_config.json included, travel with it); null for a tokenizer the run trained or
     *               read from a file, which has no template: plain text, as the trainers' tokenizer overloads make it
     */
    static Turns turns(Experiment e, Path folder, Tokenizer tok) {
        if (folder == null) return Sequences.plain(tok);
        return Turns.inFolder(folder, tok, FolderTokenizer.stopIds(tok), e.chatTemplate());
    }

    /** Adds a plot to the result and writes it to {@code plots/NAME.svg}. */
    void plot(String name, Plot plot) {
        plot.write(out.resolve("plots/" + name + ".svg"));
        plots.put(name, plot);
    }

    @FunctionalInterface
    interface CheckpointWrite {
        void to(Path dir) throws IOException;
    }
}
