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
    /** Starts of one job that the worker died under, after which it is failed instead of started again. */
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
    private volatile String current;

    public JobQueue(JobStore store, Execution execution) {
        this.store = store;
        this.execution = execution;
    }

    /**
     * Re-queues the jobs a stopped worker was running, then queues every waiting job. A job found running is one the
     * last worker died under (an ordinary stop puts it back in the queue, {@link #stop}). A job cancelled while it ran
     * is cancelled now; a job the worker died under {@value #MAX_ATTEMPTS} times (killed, out of memory) fails with
     * that reason rather than take down the next worker too.
     */
    public void start() {
        for (Job found : store.list()) {
            if (found.status() != Job.Status.RUNNING) continue;
            Job j = store.update(found.id(), Job::diedUnder);
            String now = Instant.now().toString();
            if (store.cancelRequested(j.id())) {
                store.update(j.id(), x -> x.finished(Job.Status.CANCELLED, now, null));
                System.err.println("worker: " + j.id() + " was cancelled before the worker stopped; it stays cancelled");
            } else if (j.interrupted() >= MAX_ATTEMPTS) {
                String why = "started " + j.interrupted() + " times without finishing: the worker died under it each "
                        + "time (killed, or out of memory?), last at the start of " + j.started() + "; not started "
                        + "again: submit it anew once the cause is fixed";
                store.update(j.id(), x -> x.finished(Job.Status.FAILED, now, why));
                System.err.println("worker: " + j.id() + " failed: " + why);
            } else {
                store.update(j.id(), x -> x.with(Job.Status.QUEUED));
                System.err.println("worker: " + j.id() + " was running when the worker stopped; it resumes from its last checkpoint");
            }
        }
        for (Job j : store.list()) if (j.status() == Job.Status.QUEUED) enqueue(j.id());
    }

    /**
     * The worker is stopping in the ordinary way (a signal, Ctrl-C): the running job goes back to the queue, not
     * counted against it, and resumes at the next start.
     */
    public void stop() {
        closing = true;
        String id = current;
        if (id == null) return;
        synchronized (store) {
            if (store.get(id).status() == Job.Status.RUNNING) store.update(id, x -> x.with(Job.Status.QUEUED));
        }
        System.err.println("worker: " + id + " goes back to the queue; it resumes at the next start");
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
            current = id;
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
            if (closing) return; // stopped with the worker: it resumes at the next start
            end = Job.Status.FAILED;
            error = e.toString();
            e.printStackTrace();
        }
        cancelling.remove(id);
        current = null;
        Job.Status s = end;
        String why = error;
        store.update(id, j -> j.finished(s, Instant.now().toString(), why));
        System.err.println("worker: " + id + " " + s.name().toLowerCase() + (why == null ? "" : ": " + why));
    }

    /** Stops at once, as a kill would: a running job stays running on disk (see {@link #start}). */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        device.shutdownNow();
        device.awaitTermination(10, TimeUnit.SECONDS);
    }
}
