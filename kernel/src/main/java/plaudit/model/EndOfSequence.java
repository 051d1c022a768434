package plaudit.model;

import com.fasterxml.jackson.databind.JsonNode;
import plaudit.Echo;
import plaudit.UserError;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The end-of-sequence ids of a Hugging Face folder, where generation stops: {@code generation_config.json}'s
 * {@code eos_token_id}, falling back to {@code config.json}'s, as {@code transformers}' {@code generate} reads them. Either
 * is one id or a list (Llama 3 ends at {@code <|end_of_text|>} or {@code <|eot_id|>}, Qwen at {@code <|im_end|>} or
 * {@code <|endoftext|>}).
 */
public final class EndOfSequence {
    public static final String GENERATION_CONFIG = "generation_config.json";

    private EndOfSequence() {
    }

    /** The ids, in file order; empty when neither file names one (then only max_new_tokens ends a response). */
    public static int[] ids(Path dir, int vocabSize) {
        Path generation = dir.resolve(GENERATION_CONFIG);
        if (Files.isRegularFile(generation)) {
            JsonNode eos = ModelFolder.readJson(generation).get("eos_token_id");
            if (eos != null && !eos.isNull()) return parse(eos, generation, "eos_token_id", vocabSize);
        }
        Path config = dir.resolve(Checkpoint.CONFIG);
        JsonNode eos = ModelFolder.readJson(config).get("eos_token_id");
        return eos == null || eos.isNull() ? new int[0] : parse(eos, config, "eos_token_id", vocabSize);
    }

    /**
     * {@code config.json}'s {@code bos_token_id}, where a document starts when there is no prompt; refused when the
     * file names none.
     */
    public static int bosId(Path dir, int vocabSize) {
        Path config = dir.resolve(Checkpoint.CONFIG);
        JsonNode bos = ModelFolder.readJson(config).get("bos_token_id");
        if (bos == null || bos.isNull()) {
            throw new UserError(config + ": names no bos_token_id to start an empty prompt with; give a --prompt");
        }
        int[] ids = parse(bos, config, "bos_token_id", vocabSize);
        if (ids.length != 1) throw new UserError(config + ": bos_token_id " + Echo.of(bos) + " must be one token id; fix the file");
        return ids[0];
    }

    private static int[] parse(JsonNode eos, Path file, String key, int vocabSize) {
        JsonNode[] items = eos.isArray() ? new JsonNode[eos.size()] : new JsonNode[] {eos};
        for (int i = 0; eos.isArray() && i < items.length; i++) items[i] = eos.get(i);
        int[] ids = new int[items.length];
        for (int i = 0; i < items.length; i++) {
            JsonNode id = items[i];
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0 || id.intValue() >= vocabSize) {
                throw new UserError(file + ": " + key + " " + Echo.of(eos) + " must be a token id in [0, " + vocabSize
                        + ") or a list of them; fix the file");
            }
            ids[i] = id.intValue();
        }
        return ids;
    }
}
