package plaudit.worker;

/**
 * One submitted experiment on a worker, as {@code job.json} holds it and {@code GET /v1/jobs/ID} shows it.
 *
 * @param id        {@code job-000042}: submit order, safe in a path
 * @param status    where it is in the queue
 * @param submitted ISO-8601 instants (null until they happen)
 * @param attempts  how many times it was started: more than one after a worker restart resumed it
 * @param error     why it failed, or null
 * @param reward    whether it carries a Kotlin reward source
 */
public record Job(String id, Status status, String submitted, String started, String finished, int attempts,
                  String error, boolean reward) {

    public enum Status {
        QUEUED, RUNNING, DONE, FAILED, CANCELLED;

        public boolean terminal() {
            return this == DONE || this == FAILED || this == CANCELLED;
        }
    }

    public Job with(Status s) {
        return new Job(id, s, submitted, started, finished, attempts, error, reward);
    }

    Job started(String at) {
        return new Job(id, Status.RUNNING, submitted, at, null, attempts + 1, null, reward);
    }

    Job finished(Status s, String at, String why) {
        return new Job(id, s, submitted, started, at, attempts, why, reward);
    }
}
