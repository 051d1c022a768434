package plaudit.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --checkpoint-every 0} (or less) once started a run that wrote no checkpoint, printed a checkpoint path, and
 * lost the trained policy: it is refused, naming the option, before anything is read or loaded.
 */
class CheckpointIntervalTest {
    @ParameterizedTest
    @CsvSource({"ppo, 0", "ppo, -1", "rloo, 0"})
    void anIntervalThatSavesNothingIsRefused(String command, String every) {
        CliRun.Result r = CliRun.run(command, "--checkpoint-every", every, "--pairs", "no-pairs", "--sft", "no-sft",
                "--rm", "no-rm", "--out", "no-out");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("--checkpoint-every " + every + " would save no checkpoint"), r.err());
    }
}
