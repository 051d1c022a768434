package plaudit.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.Echo;
import plaudit.UserError;
import plaudit.model.CausalLm;
import plaudit.model.Devices;
import plaudit.model.ModelFolder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code plaudit logprobs}: one JSON array of token ids on standard input → one JSON array of the n−1 natural-log
 * probabilities {@code log p(ids[i] | ids[0..i-1])}, {@code i = 1 .. n-1}, computed in float32, for a checkpoint of
 * any supported family (gpt2, llama, qwen2, qwen3).
 */
@Command(name = "logprobs", mixinStandardHelpOptions = true,
        description = {"Reads one JSON array of token ids from standard input, e.g. [15496, 11, 995], and prints one "
                + "JSON array of the n-1 natural-log probabilities log p(ids[i] | ids[0..i-1]), i = 1..n-1, computed "
                + "in float32.",
                "The checkpoint is a Hugging Face folder of model_type gpt2, llama, qwen2 or qwen3."})
public final class LogprobsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Mixin
    CheckpointOptions checkpoint;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws IOException {
        int[] ids = readIds(System.in.readAllBytes());
        try (CausalLm model = ModelFolder.open(checkpoint.dir, Devices.parse(device))) {
            check(ids, model);
            float[] logProbs = model.sequenceLogProbs(ids);
            StringBuilder json = new StringBuilder(logProbs.length * 12 + 2).append('[');
            for (int i = 0; i < logProbs.length; i++) json.append(i == 0 ? "" : ", ").append(logProbs[i]);
            PrintStream out = System.out;
            out.write(json.append("]\n").toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        return 0;
    }

    /** The ids of standard input: a JSON array of at least two non-negative integers, nothing else. */
    static int[] readIds(byte[] input) {
        JsonNode array;
        try {
            array = JSON.readTree(input);
        } catch (JsonProcessingException e) {
            throw new UserError("standard input is not JSON (" + Echo.of(e.getOriginalMessage()) + "); logprobs expects"
                    + " one array of token ids such as [15496, 11, 995]", e);
        } catch (IOException e) {
            throw new UserError("cannot read standard input (" + e + ")", e);
        }
        if (array == null || !array.isArray()) {
            boolean empty = array == null || array.isMissingNode();
            throw new UserError("standard input is " + (empty ? "empty" : "not a JSON array") + "; logprobs"
                    + " expects one array of token ids such as [15496, 11, 995]");
        }
        if (array.size() < 2) {
            throw new UserError("standard input has " + array.size() + " token id" + (array.size() == 1 ? "" : "s")
                    + "; logprobs needs at least 2 (the first is the context of the second)");
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw new UserError("element " + i + " of the ids, " + Echo.of(id) + ", is not a token id; give"
                        + " non-negative integers such as [15496, 11, 995]");
            }
            ids[i] = id.intValue();
        }
        return ids;
    }

    private void check(int[] ids, CausalLm model) {
        if (ids.length > model.contextLength()) {
            throw new UserError("standard input has " + ids.length + " token ids but " + checkpoint.dir + " ("
                    + model.modelType() + ") reads at most " + model.contextLength() + "; give a shorter sequence");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= model.vocabSize()) {
                throw new UserError("element " + i + " of the ids, " + ids[i] + ", is not a token id of "
                        + checkpoint.dir + " (ids run from 0 to " + (model.vocabSize() - 1) + "); were the ids made"
                        + " with another tokenizer?");
            }
        }
    }
}
