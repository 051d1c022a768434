package plaudit.experiment;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specs with a model no machine can train, or a device that is not there (issue 27, items 2 and 10): refused where
 * the spec is read (the CLI, the DSL and the worker's submit all build it with {@link Experiment}'s checks) or where
 * the run starts, in one short line, before any data or model exists.
 */
@Tag("adversarial")
class HostileModelSpecTest {

    private static String refusal(String json) {
        String message = assertThrows(UserError.class, () -> Experiment.fromJson(json)).getMessage();
        assertFalse(message.contains("\n"), message);
        assertTrue(message.length() < 300, message);
        return message;
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "message should mention '" + p + "': " + message);
    }

    /** The default width with n_layer 1e5 is 5e9 parameters (about 120 GB for PPO); before, the spec was accepted. */
    @Test
    void hugeNLayerIsRefusedWhenTheSpecIsRead() {
        for (int nLayer : new int[] {100_000, 1_000_000, Integer.MAX_VALUE}) {
            assertMentions(refusal("{\"model\": {\"nLayer\": " + nLayer + "}}"), "n_layer=" + nLayer, "parameters",
                    "lower n_layer or n_embd");
        }
        assertMentions(refusal("{\"model\": {\"nEmbd\": 65536, \"nHead\": 1}}"), "n_embd", "more than one tensor can");
    }

    @Test
    void theTrainedTokenizersVocabularyCountsToo() {
        assertMentions(refusal("{\"tokenizer\": {\"vocabSize\": 100000000}}"), "vocab_size", "tokenizer.vocabSize");
    }

    @Test
    void aDeviceNameThatIsNoDeviceIsRefusedWhenTheSpecIsRead() {
        assertMentions(refusal("{\"device\": \"gpu:seven\"}"), "experiment: device 'gpu:seven' is not understood");
    }

    /** gpu:7 may exist where a spec is sent, so it is checked where the run starts: before the data stage. */
    @Test
    void aGpuThatIsNotThereStopsTheRunBeforeItStarts(@TempDir Path tmp) {
        Experiment e = Experiment.fromJson("{\"device\": \"gpu:7\"}");
        String message = assertThrows(UserError.class, () -> new ExperimentRunner(tmp.resolve("out")).run(e, null))
                .getMessage();
        assertMentions(message, "device gpu:7 requested", "devices available: cpu");
        assertFalse(Files.exists(tmp.resolve("out/data")), "nothing should have run");
    }
}
