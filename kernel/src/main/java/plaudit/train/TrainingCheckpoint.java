package plaudit.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import plaudit.UserError;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.Params;
import plaudit.text.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checkpoint of a run in progress, written atomically ({@link Checkpoint.Writer}: a temporary sibling, then a
 * rename): the model as a Hugging Face GPT-2 folder, further trained tensors (a reward model's head), the optimizer's
 * moments, and {@code trainer_state.json} with the step, AdamW's step and the seed. A resumed run must have the seed
 * that wrote it: everything random in a run follows from (seed, step).
 */
public final class TrainingCheckpoint {
    private static final String STATE = "trainer_state";

    private TrainingCheckpoint() {
    }

    /** Whether {@code dir} holds a checkpoint to resume from. */
    public static boolean exists(Path dir) {
        return dir != null && Files.isRegularFile(dir.resolve(Checkpoint.CONFIG));
    }

    /** The step a checkpoint was written at: the metrics rows it covers. */
    public static int step(Path dir) {
        return Checkpoint.read(dir).json(STATE).get("step").asInt();
    }

    /**
     * @param tok      saved with the model when not null
     * @param extra    named groups of further trained tensors, each restored by {@link #resume} under the same name
     * @param counters the run's counters besides {@code step}, {@code optimizer_step} and {@code seed}
     */
    public static void save(Path dir, Gpt model, Tokenizer tok, AdamW opt, Map<String, Map<String, NDArray>> extra,
                            int step, long seed, Map<String, Object> counters) {
        Checkpoint.Writer w = Checkpoint.writer().config(model.config()).parameters(model.parameters()).tokenizer(tok)
                .tensors("optimizer", opt.state());
        extra.forEach(w::tensors);
        Map<String, Object> state = new LinkedHashMap<>(counters);
        state.put("step", step);
        state.put("optimizer_step", opt.step());
        state.put("seed", seed);
        w.json(STATE, state).write(dir);
    }

    /** Loads model, extra tensors and optimizer from {@code dir} in place; returns {@code trainer_state}. */
    public static JsonNode resume(Path dir, long seed, Gpt model, AdamW opt, Map<String, Map<String, NDArray>> extra) {
        Checkpoint c = Checkpoint.read(dir);
        JsonNode state = c.json(STATE);
        if (state.get("seed").asLong() != seed) {
            throw new UserError(dir + " was written by a run with seed " + state.get("seed").asLong()
                    + ", this run has seed " + seed + "; resume with the same --seed");
        }
        try (NDManager staging = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Params.assign(model.parameters(), c.parameters(staging), "model");
            extra.forEach((name, tensors) -> Params.assign(tensors, c.tensors(name, staging), name));
            opt.load(c.tensors("optimizer", staging), state.get("optimizer_step").asLong());
        }
        return state;
    }
}
