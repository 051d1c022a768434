package plaudit.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import plaudit.experiment.Experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The worker's jobs on disk, so that a restart (or kill -9) loses none: {@code DATA/jobs/ID/} holds {@code job.json}
 * (the {@link Job}), {@code spec.json} (the experiment), {@code reward.kts} (its reward source, if any),
 * {@code cancel-requested} (once a cancel of the running job was asked for) and {@code out/} (everything the run writes, checkpoints included). Every file is written to a temporary sibling and then moved into
 * place, so a reader or a restart sees the old version or the new one, never half of one.
 */
public final class JobStore {
    public static final Pattern ID = Pattern.compile("job-\\d{6,}");
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String CANCEL = "cancel-requested";

    private final Path jobs;
    private final TreeMap<String, Job> byId = new TreeMap<>();
    private int next = 1;

    public JobStore(Path data) {
        this.jobs = data.resolve("jobs");
        try {
            Files.createDirectories(jobs);
            try (Stream<Path> dirs = Files.list(jobs)) {
                for (Path d : (Iterable<Path>) dirs.sorted()::iterator) {
                    String id = d.getFileName().toString();
                    if (!ID.matcher(id).matches() || !Files.exists(d.resolve("job.json"))) continue; // a half-made job
                    byId.put(id, JSON.readValue(d.resolve("job.json").toFile(), Job.class));
                    next = Math.max(next, Integer.parseInt(id.substring(4)) + 1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker's jobs under " + jobs, e);
        }
    }

    /**
     * A new queued job; its files exist before it is listed. Its folder is created exclusively: a folder that exists
     * (another process's job, or a half-made one) is never written into; the next number is taken instead.
     */
    public synchronized Job create(Experiment experiment, String rewardSource) {
        String id;
        Path dir;
        while (true) {
            id = String.format("job-%06d", next++);
            dir = jobs.resolve(id);
            try {
                Files.createDirectory(dir);
                break;
            } catch (FileAlreadyExistsException taken) {
                // numbered by someone else: try the next
            } catch (IOException e) {
                throw new UncheckedIOException("cannot store job " + id + " under " + dir, e);
            }
        }
        try {
            Files.createDirectories(dir.resolve("out"));
            writeAtomically(dir.resolve("spec.json"), experiment.toJson());
            if (rewardSource != null) writeAtomically(dir.resolve("reward.kts"), rewardSource);
            Job job = new Job(id, Job.Status.QUEUED, Instant.now().toString(), null, null, 0, 0, null,
                    rewardSource != null);
            save(job);
            return job;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store job " + id + " under " + dir, e);
        }
    }

    /** The job, or null if there is none by that id. */
    public synchronized Job get(String id) {
        return byId.get(id);
    }

    /** Every job in submit order. */
    public synchronized List<Job> list() {
        return new ArrayList<>(byId.values());
    }

    /** Changes a job and writes it before anyone sees the change. */
    public synchronized Job update(String id, UnaryOperator<Job> change) {
        Job j = change.apply(byId.get(id));
        try {
            save(j);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + jobs.resolve(id).resolve("job.json"), e);
        }
        return j;
    }

    /** Records that the job is to be cancelled, so that a worker started after this one still knows. */
    public void requestCancel(String id) {
        try {
            writeAtomically(jobs.resolve(id).resolve(CANCEL), Instant.now().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + jobs.resolve(id).resolve(CANCEL), e);
        }
    }

    public boolean cancelRequested(String id) {
        return Files.exists(jobs.resolve(id).resolve(CANCEL));
    }

    public Experiment experiment(String id) {
        return Experiment.fromJson(read(jobs.resolve(id).resolve("spec.json")));
    }

    /** The job's Kotlin reward source, or null. */
    public String rewardSource(String id) {
        Path f = jobs.resolve(id).resolve("reward.kts");
        return Files.exists(f) ? read(f) : null;
    }

    /** The folder the run writes to: what the artifact routes serve. */
    public Path out(String id) {
        return jobs.resolve(id).resolve("out");
    }

    private void save(Job j) throws IOException {
        writeAtomically(jobs.resolve(j.id()).resolve("job.json"), JSON.writeValueAsString(j));
        byId.put(j.id(), j);
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /** Temporary sibling, then an atomic move: a crash leaves the old file or the new one. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The job's summary as JSON-ready data. */
    static Map<String, Object> view(Job j) {
        return JSON.convertValue(j, JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
    }
}
