package plaudit.worker;

import plaudit.UserError;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the stored jobs one at a time (one device, one job), in submit order. On start it puts back in the queue the
 * jobs a previous worker was running when it stopped; their run resumes from the last checkpoint under their folder.
 */
public final class JobQueue implements AutoCloseable {

    /** What running a job means; {@link ExperimentExecution} in the worker. */
    @FunctionalInterface
    public interface Execution {
        /** Runs the job to its end, writing under {@code out}; stops with a CancellationException once {@code cancelled}. */
        void run(String id, Path out, BooleanSupplier cancelled) throws Exception;
    }

    private final JobStore store;
    private final Execution execution;
    private final ExecutorService device = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "plaudit-job");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> cancelling = ConcurrentHashMap.newKeySet();

    public JobQueue(JobStore store, Execution execution) {
        this.store = store;
        this.execution = execution;
    }

    /** Re-queues interrupted jobs, then queues every waiting job. */
    public void start() {
        for (Job j : store.list()) {
            if (j.status() == Job.Status.RUNNING) {
                store.update(j.id(), x -> x.with(Job.Status.QUEUED));
                System.err.println("worker: " + j.id() + " was running when the worker stopped; it resumes from its last checkpoint");
            }
        }
        for (Job j : store.list()) if (j.status() == Job.Status.QUEUED) enqueue(j.id());
    }

    public void enqueue(String id) {
        device.execute(() -> runJob(id));
    }

    /** A queued job is cancelled at once; a running one at its next stage or PPO step. */
    public Job cancel(String id) {
        synchronized (store) {
            Job j = store.get(id);
            if (j.status() == Job.Status.QUEUED) {
                return store.update(id, x -> x.finished(Job.Status.CANCELLED, Instant.now().toString(), null));
            }
            if (j.status() == Job.Status.RUNNING) cancelling.add(id);
            return j;
        }
    }

    private void runJob(String id) {
        synchronized (store) {
            if (store.get(id).status() != Job.Status.QUEUED) return; // cancelled while waiting
            store.update(id, j -> j.started(Instant.now().toString()));
        }
        Job.Status end = Job.Status.DONE;
        String error = null;
        try {
            execution.run(id, store.out(id), () -> cancelling.contains(id));
        } catch (CancellationException e) {
            end = Job.Status.CANCELLED;
        } catch (UserError e) {
            end = Job.Status.FAILED;
            error = e.getMessage();
        } catch (Throwable e) {
            end = Job.Status.FAILED;
            error = e.toString();
            e.printStackTrace();
        }
        cancelling.remove(id);
        Job.Status s = end;
        String why = error;
        store.update(id, j -> j.finished(s, Instant.now().toString(), why));
        System.err.println("worker: " + id + " " + s.name().toLowerCase() + (why == null ? "" : ": " + why));
    }

    @Override
    public void close() throws InterruptedException {
        device.shutdownNow();
        device.awaitTermination(10, TimeUnit.SECONDS);
    }
}
