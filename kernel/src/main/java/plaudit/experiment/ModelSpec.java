package plaudit.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import plaudit.UserError;
import plaudit.model.GptConfig;
import plaudit.model.ModelFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment's model (its {@code model} section): a GPT-2 shape that the run pretrains itself (the default), or a
 * Hugging Face folder it starts from ({@code from}), whose tokenizer and weights it takes as they are: no tokenizer
 * training, no pretraining. The folder's {@code config.json} is then the shape, so the shape fields are left out; a
 * spec that names both is refused, naming the shape fields it gives.
 *
 * @param from      a Hugging Face model folder of a supported family ({@code config.json}, weights,
 *                  {@code tokenizer.json}); null = pretrain a GPT of the shape below
 * @param nLayer    as {@link GptConfig} (null with {@code from})
 * @param nHead     as {@link GptConfig}
 * @param nEmbd     as {@link GptConfig}
 * @param blockSize as {@link GptConfig}
 * @param vocabSize as {@link GptConfig}; the run takes the tokenizer's
 * @param dropout   as {@link GptConfig}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(String from, Integer nLayer, Integer nHead, Integer nEmbd, Integer blockSize, Integer vocabSize,
                        Double dropout) {
    public ModelSpec {
        List<String> given = new ArrayList<>(), missing = new ArrayList<>();
        shape(nLayer, nHead, nEmbd, blockSize, vocabSize, dropout)
                .forEach((name, value) -> (value == null ? missing : given).add("model." + name));
        if (from != null) {
            if (from.isBlank()) {
                throw new UserError("experiment: model.from is empty; give a Hugging Face model folder or leave it out");
            }
            if (!given.isEmpty()) {
                throw new UserError("experiment: model.from is set, so the model's shape is the folder's config.json; "
                        + "remove " + String.join(", ", given) + " (or remove model.from to pretrain a GPT of that shape)");
            }
        } else {
            if (!missing.isEmpty()) {
                throw new UserError("experiment: " + String.join(", ", missing) + " missing; give the GPT shape or "
                        + "model.from (a Hugging Face folder)");
            }
            new GptConfig(nLayer, nHead, nEmbd, blockSize, vocabSize, dropout); // names a bad key (n_embd, …)
        }
    }

    /** Pretrain a GPT of {@code shape}. */
    public static ModelSpec of(GptConfig shape) {
        return new ModelSpec(null, shape.nLayer(), shape.nHead(), shape.nEmbd(), shape.blockSize(), shape.vocabSize(),
                shape.dropout());
    }

    /** Start from the Hugging Face folder {@code folder}. */
    public static ModelSpec from(String folder) {
        return new ModelSpec(folder, null, null, null, null, null, null);
    }

    /** Whether the run starts from a folder (no tokenizer training, no pretraining). */
    public boolean fromFolder() {
        return from != null;
    }

    /** The GPT shape the run pretrains; only without {@code from}. */
    public GptConfig gpt() {
        if (from != null) throw new IllegalStateException("model.from is set: the shape is the folder's");
        return new GptConfig(nLayer, nHead, nEmbd, blockSize, vocabSize, dropout);
    }

    /**
     * The folder, after checking that it is there and holds a supported family: what is checked where a spec is read
     * (a spec built on one machine may name a folder of the machine that runs it).
     *
     * @return the folder's {@code model_type}
     */
    public String checkFolder() {
        Path dir = Path.of(from);
        if (!Files.isDirectory(dir)) {
            throw new UserError("experiment: model.from = " + dir + " is not a folder; give a Hugging Face model folder "
                    + "(config.json, model.safetensors, tokenizer.json)");
        }
        try {
            return ModelFolder.modelType(dir);
        } catch (UserError e) {
            throw new UserError("experiment: model.from = " + dir + ": " + e.getMessage());
        }
    }

    private static Map<String, Object> shape(Integer nLayer, Integer nHead, Integer nEmbd, Integer blockSize,
                                             Integer vocabSize, Double dropout) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nLayer", nLayer);
        m.put("nHead", nHead);
        m.put("nEmbd", nEmbd);
        m.put("blockSize", blockSize);
        m.put("vocabSize", vocabSize);
        m.put("dropout", dropout);
        return m;
    }
}
