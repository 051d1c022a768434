package plaudit.worker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import plaudit.experiment.Experiment;
import plaudit.experiment.ExperimentResult;
import plaudit.experiment.ExperimentRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-process variant of the kill-and-restart test: a resumable run stopped in the middle of PPO, run again on
 * its folder, skips the finished stages, continues PPO from its checkpoint, and ends with the metrics, samples and
 * summary of a run that was never stopped. The fixture's PPO averages its weights from step 2 on ({@code averageTail}
 * 0.75 of 6 steps), so the stop falls inside the averaged tail and the checkpoint must carry the average. A run
 * stopped inside a supervised stage (pretraining, SFT, the reward model) continues that stage from its last step.
 */
class ResumeTest {

    @Test
    void stoppedRunResumesToTheMetricsOfAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        Experiment e = Experiment.fromJson(WorkerFixture.tinyExperiment());
        ExperimentResult straight = new ExperimentRunner(tmp.resolve("straight")).run(e, null);

        Path out = tmp.resolve("stopped");
        // "cancelled" is asked once per PPO step (after the step) and once per stage; stop after PPO's second step (a sampling step: sampleEvery = 2)
        AtomicInteger ppoSteps = new AtomicInteger();
        assertThrows(CancellationException.class, () -> new ExperimentRunner(out).resumable(() ->
                Files.exists(out.resolve("ppo/metrics.csv")) && ppoSteps.incrementAndGet() > 2).run(e, null));
        assertTrue(Files.isRegularFile(out.resolve("ppo/checkpoint/config.json")), "PPO checkpoints as it goes");
        long sftCheckpointTime = Files.getLastModifiedTime(out.resolve("sft/checkpoint/config.json")).toMillis();

        ExperimentResult resumed = new ExperimentRunner(out).resumable(() -> false).run(e, null);

        assertEquals(sftCheckpointTime, Files.getLastModifiedTime(out.resolve("sft/checkpoint/config.json")).toMillis(),
                "a finished stage is not run again");
        assertEquals(WorkerFixture.metricsWithoutTimes(tmp.resolve("straight/ppo/metrics.csv")),
                WorkerFixture.metricsWithoutTimes(out.resolve("ppo/metrics.csv")));
        // every row, the final policy's measurements (ppo_kl, ppo_gold_winrate_vs_sft, ...) included: a resumed run
        // compares the policy with the same SFT draw as an uninterrupted one
        assertEquals(Files.readAllLines(tmp.resolve("straight/summary.csv")), Files.readAllLines(out.resolve("summary.csv")));
        assertEquals(straight.samples().get("ppo").rowCount(), resumed.samples().get("ppo").rowCount());
        assertEquals(straight.samples().get("ppo").stringColumn("response").asList(),
                resumed.samples().get("ppo").stringColumn("response").asList());
        assertEquals(straight.plots().keySet(), resumed.plots().keySet());

        // and the folder reads back as the same result (what a remote run returns)
        ExperimentResult read = ExperimentResult.read(out);
        assertEquals(resumed.summary().doubleColumn("value").asList(), read.summary().doubleColumn("value").asList());
        assertEquals(resumed.metrics().keySet(), read.metrics().keySet());
        assertEquals(resumed.plots().keySet(), read.plots().keySet());
        assertEquals(resumed.samples().get("ppo").stringColumn("response").asList(),
                read.samples().get("ppo").stringColumn("response").asList());
    }

    /** Stopped after step 2 of {@code stage}'s 4: the stage continues from its step-2 checkpoint, not from scratch. */
    @ParameterizedTest
    @ValueSource(strings = {"pretrain", "sft", "rm"})
    void runStoppedInsideASupervisedStageResumesThatStage(String stage, @TempDir Path tmp) throws Exception {
        Experiment e = Experiment.fromJson(WorkerFixture.tinyExperiment());
        new ExperimentRunner(tmp.resolve("straight")).run(e, null);

        Path out = tmp.resolve("stopped");
        Path csv = out.resolve(stage + "/metrics.csv");
        assertThrows(CancellationException.class, () -> new ExperimentRunner(out).resumable(() ->
                Files.exists(csv) && lines(csv) > 2).run(e, null));
        assertEquals(3, Files.readAllLines(csv).size(), "stopped after the stage's second step");
        assertTrue(Files.isRegularFile(out.resolve(stage + "/resume/config.json")), "the stage checkpoints as it goes");

        // asked after every step: had the stage started again from step 0, its metrics would have shrunk to one row
        AtomicInteger fewestLines = new AtomicInteger(Integer.MAX_VALUE);
        new ExperimentRunner(out).resumable(() -> {
            fewestLines.accumulateAndGet(lines(csv), Math::min);
            return false;
        }).run(e, null);
        assertEquals(3, fewestLines.get(), "the stage went on from its second step");

        for (String s : new String[] {"pretrain", "sft", "rm", "ppo"}) {
            assertEquals(WorkerFixture.metricsWithoutTimes(tmp.resolve("straight/" + s + "/metrics.csv")),
                    WorkerFixture.metricsWithoutTimes(out.resolve(s + "/metrics.csv")), s);
        }
        assertEquals(Files.readAllLines(tmp.resolve("straight/summary.csv")), Files.readAllLines(out.resolve("summary.csv")));
        assertTrue(Files.notExists(out.resolve(stage + "/resume")), "a finished stage's in-progress checkpoint is removed");
    }

    private static int lines(Path csv) {
        try {
            return Files.readAllLines(csv).size();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
