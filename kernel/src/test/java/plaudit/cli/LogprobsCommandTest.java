package plaudit.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.cli.CliRun.Result;
import plaudit.model.Checkpoint;
import plaudit.model.CausalLm;
import plaudit.model.Gpt;
import plaudit.model.ModelFolder;
import plaudit.model.Safetensors;
import plaudit.model.TinyLlamas;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static plaudit.cli.CliRun.withStdin;

/**
 * {@code plaudit logprobs} (the exact interface of issue 22) on a GPT-2 checkpoint: the n−1 log-probabilities equal
 * those of Gpt's own forward pass over the whole sequence, and every bad input is one line on standard error, exit 2.
 */
class LogprobsCommandTest {
    @TempDir
    Path tmp;

    private static Result logprobs(Path ckpt, String stdin) {
        return withStdin(stdin.getBytes(StandardCharsets.UTF_8), "logprobs", "--checkpoint", ckpt.toString());
    }

    @Test
    void gpt2LogProbsMatchTheModelsForwardPass() throws Exception {
        Path ckpt = TinyCheckpoints.sound(tmp.resolve("ckpt"));
        int[] ids = {5, 120, 7, 263, 42, 42, 0, 13};
        Result r = logprobs(ckpt, "[5, 120, 7, 263, 42, 42, 0, 13]");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().endsWith("]\n"), r.out());
        double[] got = new ObjectMapper().readValue(r.stdout(), double[].class);
        assertEquals(ids.length - 1, got.length);

        // reference: one forward over all n ids, log-softmax of row i-1 in double, read at ids[i]
        try (Gpt model = Checkpoint.read(ckpt).model(Device.cpu()); NDManager m = NDManager.newBaseManager("PyTorch")) {
            long[] all = new long[ids.length];
            for (int i = 0; i < ids.length; i++) all[i] = ids[i];
            NDArray logits = model.forward(m.create(all).reshape(1, ids.length), null, null, null, false);
            int vocab = model.config().vocabSize();
            float[] flat = logits.toFloatArray();
            for (int i = 1; i < ids.length; i++) {
                int row = (i - 1) * vocab;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) max = Math.max(max, flat[row + v]);
                double sum = 0;
                for (int v = 0; v < vocab; v++) sum += Math.exp(flat[row + v] - max);
                double expected = flat[row + ids[i]] - max - Math.log(sum);
                assertEquals(expected, got[i - 1], 1e-5, "log p(ids[" + i + "])");
                assertTrue(got[i - 1] < 0);
            }
        }
    }

    /** A Llama folder goes through the same command: model_type picks the family. */
    @Test
    void llamaFolderIsDispatchedOnModelType() throws Exception {
        Path llama = TinyLlamas.write(tmp.resolve("llama"), TinyLlamas.llama(), 3, Safetensors.DType.BF16, 2);
        Result r = logprobs(llama, "[1, 60, 7, 7, 0, 33]");
        assertEquals(0, r.status(), r.err());
        double[] got = new ObjectMapper().readValue(r.stdout(), double[].class);
        try (CausalLm lm = ModelFolder.open(llama, Device.cpu())) {
            assertEquals("llama", lm.modelType());
            float[] expected = lm.sequenceLogProbs(new int[] {1, 60, 7, 7, 0, 33});
            assertEquals(expected.length, got.length);
            for (int i = 0; i < got.length; i++) assertEquals(expected[i], (float) got[i], 0f, "exactly the float printed");
        }
        assertError(logprobs(llama, "[1, 61]"), "element 1", "0 to 60");
        assertError(logprobs(llama, "[" + "1, ".repeat(64) + "1]"), "65 token ids", "(llama) reads at most 64");
        Path config = llama.resolve(Checkpoint.CONFIG);
        Files.writeString(config, Files.readString(config).replace("\"silu\"", "\"gelu\""));
        assertError(logprobs(llama, "[1, 2]"), "config.json: 'hidden_act' is \"gelu\"", "silu");
    }

    @Test
    void badInputIsOneLineAndExit2() throws Exception {
        Path ckpt = TinyCheckpoints.sound(tmp.resolve("ckpt"));
        int vocab = Checkpoint.read(ckpt).config().vocabSize();
        assertError(logprobs(ckpt, "hello"), "not JSON");
        assertError(logprobs(ckpt, "{\"ids\": [1, 2]}"), "not a JSON array");
        assertError(logprobs(ckpt, "[1, 2] [3]"), "not JSON");
        assertError(logprobs(ckpt, ""), "empty");
        assertError(logprobs(ckpt, "[1, 2.5]"), "element 1");
        assertError(logprobs(ckpt, "[1, \"2\"]"), "element 1");
        assertError(logprobs(ckpt, "[-1, 2]"), "element 0");
        assertError(logprobs(ckpt, "[3]"), "at least 2");
        assertError(logprobs(ckpt, "[]"), "at least 2");
        assertError(logprobs(ckpt, "[1, " + vocab + "]"), "element 1", "0 to " + (vocab - 1));
        assertError(logprobs(ckpt, "[1, 99999999999]"), "element 1");
        String tooLong = "[" + "1, ".repeat(32) + "1]"; // 33 ids, block size 32
        assertError(logprobs(ckpt, tooLong), "33 token ids", "at most 32");
        assertError(logprobs(tmp.resolve("absent"), "[1, 2]"), "no such checkpoint directory");

        Path other = TinyCheckpoints.sound(tmp.resolve("mistral"));
        Path config = other.resolve(Checkpoint.CONFIG);
        Files.writeString(config, Files.readString(config).replace("\"gpt2\"", "\"mistral\""));
        assertError(logprobs(other, "[1, 2]"), "model_type \"mistral\" is not supported", "llama");
    }

    private static void assertError(Result r, String... parts) {
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        String err = r.err();
        assertTrue(err.startsWith("plaudit logprobs: ") && err.endsWith("\n") && err.indexOf('\n') == err.length() - 1,
                "not one line: " + err);
        for (String p : parts) assertTrue(err.contains(p), "error should mention '" + p + "': " + err);
    }
}
