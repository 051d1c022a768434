package plaudit.experiment;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A resumable run (the worker's) continued a stage from its checkpoint whatever the spec now said: a job folder
 * resumed under another spec mixed two runs. The stage's checkpoint records its trainer's config, and a spec that
 * changes it is refused naming the field.
 */
@Tag("adversarial")
class HostileStageResumeTest {
    @Test
    void aStageResumedUnderAnotherSpecIsRefused(@TempDir Path out) throws IOException {
        String spec;
        try (InputStream in = HostileStageResumeTest.class.getResourceAsStream("/worker/tiny-experiment.json")) {
            spec = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        spec = spec.replace("\"threads\": 120", "\"threads\": 40"); // a smaller forum: enough pairs for every stage, and fast
        Experiment e = Experiment.fromJson(spec);
        Path csv = out.resolve("sft/metrics.csv");
        assertThrows(CancellationException.class, () -> new ExperimentRunner(out).resumable(() ->
                Files.exists(csv) && lines(csv) > 3).run(e, null));
        assertTrue(Files.isRegularFile(out.resolve("sft/resume/trainer_state.json")), "SFT checkpointed as it went");

        Experiment other = Experiment.fromJson(spec.replace("\"sft\": {\"steps\": 4,", "\"sft\": {\"steps\": 4, \"lr\": 0.5,"));
        UserError err = assertThrows(UserError.class, () -> new ExperimentRunner(out).resumable(() -> false).run(other, null));
        assertTrue(err.getMessage().startsWith(out.resolve("sft/resume") + " was written with other settings: lr was "),
                err.getMessage());
        assertTrue(err.getMessage().contains(", now 0.5"), err.getMessage());
    }

    private static int lines(Path csv) {
        try {
            return Files.readAllLines(csv).size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
