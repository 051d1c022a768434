package plaudit.train.pg;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import plaudit.UserError;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.Params;
import plaudit.text.Tokenizer;
import plaudit.train.AdamW;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checkpoint of a policy-gradient run (PPO, RLOO), written atomically: the policy as a Hugging Face GPT-2 folder,
 * the optimizer's moments, any other trained tensors (PPO's value function) and the counters in
 * {@code trainer_state.json}. RNG state needs no saving: every step seeds its own streams from (seed, step), so a run
 * resumed from here repeats exactly the prompts, samples and minibatches an uninterrupted run would have used.
 */
public final class PolicyCheckpoint {
    private static final String STATE = "trainer_state";

    private PolicyCheckpoint() {
    }

    /**
     * @param extra   named groups of further trained tensors, each restored by {@link #resume} with the same name
     * @param counters the run's counters besides {@code step}, {@code optimizer_step} and {@code seed} (e.g. β)
     */
    public static void save(Path dir, Gpt policy, Tokenizer tok, AdamW opt, Map<String, Map<String, NDArray>> extra,
                            int step, long seed, Map<String, Object> counters) {
        Checkpoint.Writer w = Checkpoint.writer().config(policy.config()).parameters(policy.parameters()).tokenizer(tok)
                .tensors("optimizer", opt.state());
        extra.forEach(w::tensors);
        Map<String, Object> state = new LinkedHashMap<>(counters);
        state.put("step", step);
        state.put("optimizer_step", opt.step());
        state.put("seed", seed);
        w.json(STATE, state).write(dir);
    }

    /**
     * Loads policy, optimizer and extra tensors from {@code dir} in place; returns {@code trainer_state} for the
     * caller's counters ({@code step} and its own). A different seed is an error: the run would not repeat.
     */
    public static JsonNode resume(Path dir, long seed, Gpt policy, AdamW opt, Map<String, Map<String, NDArray>> extra) {
        Checkpoint c = Checkpoint.read(dir);
        JsonNode state = c.json(STATE);
        if (state.get("seed").asLong() != seed) {
            throw new UserError(dir + " was written by a run with seed " + state.get("seed").asLong()
                    + ", this run has seed " + seed + "; resume with the same --seed");
        }
        try (NDManager staging = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Params.assign(policy.parameters(), c.parameters(staging), "policy");
            extra.forEach((name, tensors) -> Params.assign(tensors, c.tensors(name, staging), name));
            opt.load(c.tensors("optimizer", staging), state.get("optimizer_step").asLong());
        }
        return state;
    }
}
