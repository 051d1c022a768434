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
    /** Starts of one job, each ended by the worker stopping, after which it is failed instead of started again. */
    public static final int MAX_ATTEMPTS = 3;

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
    private volatile boolean closing;

    public JobQueue(JobStore store, Execution execution) {
        this.store = store;
        this.execution = execution;
    }

    /**
     * Re-queues the jobs a stopped worker was running, then queues every waiting job. A job cancelled while it ran is
     * cancelled now; a job started {@value #MAX_ATTEMPTS} times without finishing (each start stopped the worker: killed,
     * out of memory) fails with that reason rather than stop the next worker too.
     */
    public void start() {
        for (Job j : store.list()) {
            if (j.status() != Job.Status.RUNNING) continue;
            String now = Instant.now().toString();
            if (store.cancelRequested(j.id())) {
                store.update(j.id(), x -> x.finished(Job.Status.CANCELLED, now, null));
                System.err.println("worker: " + j.id() + " was cancelled while the worker stopped; it stays cancelled");
            } else if (j.attempts() >= MAX_ATTEMPTS) {
                String why = "started " + j.attempts() + " times without finishing (last start " + j.started()
                        + "): the worker stopped during each (killed, or out of memory?); not started again, submit it "
                        + "anew once the cause is fixed";
                store.update(j.id(), x -> x.finished(Job.Status.FAILED, now, why));
                System.err.println("worker: " + j.id() + " failed: " + why);
            } else {
                store.update(j.id(), x -> x.with(Job.Status.QUEUED));
                System.err.println("worker: " + j.id() + " was running when the worker stopped; it resumes from its last checkpoint");
            }
        }
        for (Job j : store.list()) if (j.status() == Job.Status.QUEUED) enqueue(j.id());
    }

    public void enqueue(String id) {
        device.execute(() -> runJob(id));
    }

    /**
     * A queued job is cancelled at once; a running one at its next stage or PPO step, or, if the worker stops first
     * (a job too big for the machine may never reach a step), when the worker starts again: the request is stored.
     */
    public Job cancel(String id) {
        synchronized (store) {
            Job j = store.get(id);
            if (j.status() == Job.Status.QUEUED) {
                return store.update(id, x -> x.finished(Job.Status.CANCELLED, Instant.now().toString(), null));
            }
            if (j.status() == Job.Status.RUNNING) {
                store.requestCancel(id);
                cancelling.add(id);
            }
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
            if (closing) {
                // stopped with the worker, as a kill would stop it: it stays running and resumes at the next start
                System.err.println("worker: " + id + " stopped with the worker; it resumes at the next start");
                return;
            }
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
        closing = true;
        device.shutdownNow();
        device.awaitTermination(10, TimeUnit.SECONDS);
    }
}
