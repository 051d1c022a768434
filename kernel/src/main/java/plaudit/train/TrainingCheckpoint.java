package plaudit.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import plaudit.UserError;
import plaudit.model.AtomicDirectory;
import plaudit.model.CausalLm;
import plaudit.model.Checkpoint;
import plaudit.model.FolderState;
import plaudit.model.ModelFolder;
import plaudit.model.Params;
import plaudit.text.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint of a run in progress, written atomically ({@link Checkpoint.Writer}: a temporary sibling, then a
 * rename): the model as a Hugging Face folder of its family, further trained tensors (a reward model's head), the
 * optimizer's moments, and {@code trainer_state.json} with the step, AdamW's step, the trainer's counters and the run's
 * {@linkplain CheckpointSettings settings}. A resumed run must have the settings that wrote it (everything random in a
 * run follows from the seed and the step; everything else from the settings) and at least as many steps as the
 * checkpoint covers; a {@code trainer_state.json} without a field it needs is refused naming the file and the field.
 *
 * <p>A model that trains other tensors than its weights ({@link CausalLm#base()} is not itself: LoRA adapters over a
 * frozen base) is saved with its merged weights as {@code model.safetensors}, for any reader, and its
 * {@link CausalLm#parameters()} as {@code trainable.safetensors}, which is what a resumed run restores.
 */
public final class TrainingCheckpoint {
    private static final String STATE = "trainer_state";
    /** The tensors a model trains when they are not its weights. */
    static final String TRAINABLE = "trainable";
    private static final String SETTINGS = "settings";
    /** What a checkpoint of an earlier Plaudit recorded instead of {@link #SETTINGS}. */
    private static final String EARLIER_SEED = "seed";

    private TrainingCheckpoint() {
    }

    /** Whether {@code dir} holds a checkpoint to resume from. */
    public static boolean exists(Path dir) {
        if (dir == null) return false;
        AtomicDirectory.finishInterrupted(dir); // a crash between a save's two renames must not look like no checkpoint
        return Files.isRegularFile(dir.resolve(Checkpoint.CONFIG));
    }

    /** The step a checkpoint was written at: the metrics rows it covers. */
    public static int step(Path dir) {
        return (int) count(dir, state(dir, FolderState.read(dir)), "step");
    }

    /**
     * @param tok      saved with the model when not null
     * @param extra    named groups of further trained tensors, each restored by {@link #resume} under the same name
     * @param counters the run's counters besides {@code step} and {@code optimizer_step}, read back with
     *                 {@link #number} or {@link #count}
     */
    public static void save(Path dir, CausalLm model, Tokenizer tok, AdamW opt, Map<String, Map<String, NDArray>> extra,
                            int step, CheckpointSettings settings, Map<String, Object> counters) {
        Checkpoint.Writer w = Checkpoint.writer().model(model).tokenizer(tok).tensors("optimizer", opt.state());
        if (model.base() != model) w.tensors(TRAINABLE, model.parameters());
        extra.forEach(w::tensors);
        Map<String, Object> state = new LinkedHashMap<>(counters);
        state.put("step", step);
        state.put("optimizer_step", opt.step());
        state.put(SETTINGS, settings.values());
        w.json(STATE, state).write(dir);
    }

    /**
     * Loads model, extra tensors and optimizer from {@code dir} in place, after checking that this run may continue
     * it: the same settings (but those that may change) and at least its step; returns {@code trainer_state}.
     */
    public static JsonNode resume(Path dir, CheckpointSettings settings, CausalLm model, AdamW opt,
                                  Map<String, Map<String, NDArray>> extra) {
        FolderState c = FolderState.read(dir);
        JsonNode state = state(dir, c);
        long step = count(dir, state, "step");
        long optimizerStep = count(dir, state, "optimizer_step");
        List<String> changed = state.has(SETTINGS) || !state.has(EARLIER_SEED)
                ? settings.changedFrom(recorded(dir, state)) : earlierFormat(dir, state, settings);
        if (!changed.isEmpty()) {
            throw new UserError(dir + " was written with other settings: " + String.join("; ", changed)
                    + "; resume with the same settings or start a new --out");
        }
        if (step > settings.steps()) {
            throw new UserError(dir + " is at step " + step + ", past this run's " + settings.stepsName() + " "
                    + settings.steps() + "; give " + settings.stepsName() + " " + step + " or more to continue it, "
                    + "or start a new --out");
        }
        try (NDManager staging = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            if (model.base() != model) Params.assign(model.parameters(), c.tensors(TRAINABLE, staging), TRAINABLE);
            else Params.assign(model.parameters(), ModelFolder.parameters(dir, staging), "model");
            extra.forEach((name, tensors) -> Params.assign(tensors, c.tensors(name, staging), name));
            opt.load(c.tensors("optimizer", staging), optimizerStep);
        }
        return state;
    }

    private static JsonNode state(Path dir, FolderState c) {
        JsonNode state = c.json(STATE);
        if (state == null || !state.isObject()) throw missing(dir, "step", "a JSON object with the run's state");
        return state;
    }

    /** Field {@code name} of {@code state}, a count (an integer ≥ 0); anything else fails naming the file and the field. */
    public static long count(Path dir, JsonNode state, String name) {
        JsonNode v = state.get(name);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw missing(dir, name, "an integer >= 0");
        }
        return v.asLong();
    }

    /** Field {@code name} of {@code state}, a finite number; anything else fails naming the file and the field. */
    public static double number(Path dir, JsonNode state, String name) {
        JsonNode v = state.get(name);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) throw missing(dir, name, "a finite number");
        return v.asDouble();
    }

    /**
     * A checkpoint of an earlier Plaudit recorded only its seed: refusing it would lose a run in progress across an
     * upgrade (a worker's job included), so it resumes after the seed check, with a warning that nothing else could be.
     */
    private static List<String> earlierFormat(Path dir, JsonNode state, CheckpointSettings settings) {
        long was = count(dir, state, EARLIER_SEED);
        String now = settings.values().get(EARLIER_SEED);
        if (now != null && !now.equals(Long.toString(was))) {
            return List.of("seed was " + was + ", now " + now);
        }
        System.err.println("warning: " + dir.resolve(STATE + ".json") + " was written by an earlier Plaudit that "
                + "recorded only the seed: resuming on trust that the other settings are this run's");
        return List.of();
    }

    private static Map<String, String> recorded(Path dir, JsonNode state) {
        JsonNode s = state.get(SETTINGS);
        if (s == null || !s.isObject()) throw missing(dir, SETTINGS, "the settings of the run that wrote it");
        Map<String, String> out = new LinkedHashMap<>();
        s.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) throw missing(dir, SETTINGS + "." + e.getKey(), "a value as text");
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    private static UserError missing(Path dir, String field, String expected) {
        return new UserError(dir.resolve(STATE + ".json") + ": field '" + field + "' is missing or damaged (expected "
                + expected + "); the checkpoint cannot be resumed: start a new --out");
    }
}
