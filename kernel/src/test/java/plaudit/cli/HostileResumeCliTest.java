package plaudit.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user saw of issue 27's item 8: {@code plaudit ppo --resume} with another {@code --lr} went on silently,
 * fewer {@code --steps} than the checkpoint's printed "resumed at step 2 of 1" and exited 0, and a damaged
 * {@code trainer_state.json} ended in a NullPointerException. Each now ends with exit status 2 and one line naming
 * what differs or what is damaged.
 */
@Tag("adversarial")
class HostileResumeCliTest {
    @TempDir
    static Path dir;
    private static String[] ppo;

    /** forum → pairs → train-lm → sft → train-rm, all tiny, then a PPO run of 2 steps with its checkpoint. */
    @BeforeAll
    static void twoStepsOfPpo() {
        String d = dir.toString();
        assertEquals(0, PlauditCli.run("forum", "--out", d + "/forum", "--threads", "60", "--seed", "2",
                "--corpus", d + "/corpus.txt"));
        assertEquals(0, PlauditCli.run("pairs", "--source", "reddit", "--submissions", d + "/forum/RS_forum.ndjson",
                "--comments", d + "/forum/RC_forum.ndjson", "--out", d + "/pairs"));
        assertEquals(0, PlauditCli.run("train-lm", "--corpus", d + "/corpus.txt", "--out", d + "/lm", "--vocab-size",
                "300", "--steps", "1", "--batch", "2", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
                "--block-size", "64"));
        assertEquals(0, PlauditCli.run("sft", "--pairs", d + "/pairs", "--init", d + "/lm/checkpoint", "--out",
                d + "/sft", "--steps", "1", "--batch", "2", "--max-response", "16"));
        assertEquals(0, PlauditCli.run("train-rm", "--pairs", d + "/pairs", "--sft", d + "/sft/checkpoint", "--out",
                d + "/rm", "--steps", "1", "--batch", "2", "--max-response", "16", "--recenter-prompts", "2"));
        ppo = new String[] {"ppo", "--sft", d + "/sft/checkpoint", "--rm", d + "/rm/checkpoint", "--pairs",
                d + "/pairs", "--out", d + "/ppo", "--batch", "2", "--mini-batch", "1", "--epochs", "1",
                "--response-length", "4", "--shared-trunk"};
        assertEquals(0, PlauditCli.run(with("--steps", "2", "--lr", "1e-5")));
    }

    @Test
    void anotherLearningRateIsRefused() {
        String error = refused(with("--steps", "4", "--lr", "2e-5", "--resume"));
        assertTrue(error.endsWith("was written with other settings: --lr was 1e-5, now 2e-5; resume with the same "
                + "settings or start a new --out"), error);
    }

    @Test
    void fewerStepsThanTheCheckpointIsRefusedNot200Percent() {
        String error = refused(with("--steps", "1", "--lr", "1e-5", "--resume"));
        assertTrue(error.endsWith("is at step 2, past this run's --steps 1; give --steps 2 or more to continue it, "
                + "or start a new --out"), error);
    }

    @Test
    void aDamagedTrainerStateIsNamedNotANullPointer() throws IOException {
        Path state = dir.resolve("ppo/checkpoint/trainer_state.json");
        String saved = Files.readString(state);
        try {
            Files.writeString(state, "{\"optimizer_step\": 2}");
            String error = refused(with("--steps", "4", "--lr", "1e-5", "--resume"));
            assertTrue(error.endsWith("trainer_state.json: field 'step' is missing or damaged (expected an integer >= 0); "
                    + "the checkpoint cannot be resumed: start a new --out"), error);
        } finally {
            Files.writeString(state, saved);
        }
    }

    /** The last line on standard error of a run that must fail with status 2, without a stack trace. */
    private static String refused(String... args) {
        CliRun.Result r = CliRun.run(args);
        assertEquals(2, r.status(), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        return lines.get(lines.size() - 1);
    }

    private static String[] with(String... more) {
        String[] out = Arrays.copyOf(ppo, ppo.length + more.length);
        System.arraycopy(more, 0, out, ppo.length, more.length);
        return out;
    }
}
