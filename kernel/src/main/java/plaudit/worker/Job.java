package plaudit.worker;

/**
 * One submitted experiment on a worker, as {@code job.json} holds it and {@code GET /v1/jobs/ID} shows it.
 *
 * @param id          {@code job-000042}: submit order, safe in a path
 * @param status      where it is in the queue
 * @param submitted   ISO-8601 instants (null until they happen)
 * @param attempts    how many times it was started: more than one after a worker restart resumed it
 * @param interrupted how many of those starts the worker died under (killed, out of memory); a worker stopped in
 *                    the ordinary way is not counted. At {@link JobQueue#MAX_ATTEMPTS} the job fails
 * @param error       why it failed, or null
 * @param reward      whether it carries a Kotlin reward source
 */
public record Job(String id, Status status, String submitted, String started, String finished, int attempts,
                  int interrupted, String error, boolean reward) {

    public enum Status {
        QUEUED, RUNNING, DONE, FAILED, CANCELLED;

        public boolean terminal() {
            return this == DONE || this == FAILED || this == CANCELLED;
        }
    }

    public Job with(Status s) {
        return new Job(id, s, submitted, started, finished, attempts, interrupted, error, reward);
    }

    Job started(String at) {
        return new Job(id, Status.RUNNING, submitted, at, null, attempts + 1, interrupted, null, reward);
    }

    /** Found running by a new worker: the last one died under it. */
    Job diedUnder() {
        return new Job(id, Status.RUNNING, submitted, started, finished, attempts, interrupted + 1, error, reward);
    }

    Job finished(Status s, String at, String why) {
        return new Job(id, s, submitted, started, at, attempts, interrupted, why, reward);
    }
}
