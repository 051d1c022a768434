package plaudit.train;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.data.Split;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.report.MetricsLog;
import plaudit.train.ppo.CharTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The supervised trainers' resume (the experiment's pretraining, SFT, reward model and DPO stages after a worker
 * restart) once checked only the seed, like PPO's: the trainer's whole config is now recorded in the checkpoint and a
 * resumed stage with another learning rate, batch or number of steps (its cosine schedule spans them) is refused,
 * naming each field, before any weight is loaded.
 */
@Tag("adversarial")
class HostileResumeTest {
    private static final CharTokenizer TOK = new CharTokenizer();
    private static final GptConfig MODEL = new GptConfig(1, 2, 16, 24, TOK.vocabSize(), 0.0);
    private static final List<SftTrainer.Example> DEMOS = SftTrainer.topReplies(
            DpoTrainerTest.pairs(List.of("say ", "hello "), Split.TRAIN));
    private static final SftTrainer.Config SFT = new SftTrainer.Config(4, 2, 1e-2, 1, 0.1, 1.0, 8, 2, 5);

    @TempDir
    Path tmp;

    @Test
    void aChangedConfigIsRefusedNamingEachField() throws IOException {
        Path ckpt = stoppedAfterStep2();
        UserError e = assertThrows(UserError.class, () -> sft(new SftTrainer.Config(4, 3, 2e-2, 1, 0.1, 1.0, 8, 2, 5), ckpt));
        assertEquals(ckpt + " was written with other settings: batchSize was 2, now 3; lr was 0.01, now 0.02; "
                + "resume with the same settings or start a new --out", e.getMessage());
    }

    /** SFT's cosine decays over all its steps: another number of steps is another schedule, refused. */
    @Test
    void anotherNumberOfStepsIsRefused() throws IOException {
        Path ckpt = stoppedAfterStep2();
        UserError e = assertThrows(UserError.class, () -> sft(new SftTrainer.Config(1, 2, 1e-2, 1, 0.1, 1.0, 8, 2, 5), ckpt));
        assertTrue(e.getMessage().contains("steps was 4, now 1"), e.getMessage());
    }

    @Test
    void theSameConfigResumes() throws IOException {
        Path ckpt = stoppedAfterStep2();
        assertEquals(2, new SupervisedLoop.Control(ckpt, 2, null).stepsDone());
        sft(SFT, ckpt);
        assertEquals(4, TrainingCheckpoint.step(ckpt));
    }

    @Test
    void aStateWithoutItsStepNamesTheFileAndTheField() throws IOException {
        Path ckpt = stoppedAfterStep2();
        Path state = ckpt.resolve("trainer_state.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode fields = (ObjectNode) json.readTree(state.toFile());
        fields.remove("step");
        json.writeValue(state.toFile(), fields);
        UserError e = assertThrows(UserError.class, () -> new SupervisedLoop.Control(ckpt, 2, null).stepsDone());
        assertEquals(state + ": field 'step' is missing or damaged (expected an integer >= 0); the checkpoint cannot be "
                + "resumed: start a new --out", e.getMessage());
    }

    /** SFT of 4 steps cancelled after step 3, with a checkpoint every 2 steps: its step-2 checkpoint. */
    private Path stoppedAfterStep2() {
        Path ckpt = tmp.resolve("checkpoint");
        assertThrows(CancellationException.class, () -> sft(SFT, new SupervisedLoop.Control(ckpt, 2, done -> {
            if (done == 3) throw new CancellationException("stop"); // after the hook's step, before its checkpoint
        })));
        return ckpt;
    }

    private static void sft(SftTrainer.Config cfg, Path ckpt) {
        sft(cfg, new SupervisedLoop.Control(ckpt, 2, null));
    }

    private static void sft(SftTrainer.Config cfg, SupervisedLoop.Control control) {
        try (Gpt model = Gpt.init(MODEL, Device.cpu(), 1); MetricsLog log = new MetricsLog("sft", null)) {
            SftTrainer.train(model, TOK, DEMOS, DEMOS, cfg, log, control);
        }
    }
}
