package plaudit.cli;

import ai.djl.Device;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.Safetensors;
import plaudit.model.SafetensorsWriter;
import plaudit.model.TensorData;
import plaudit.text.BpeTrainer;
import plaudit.text.ByteLevelBpe;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small checkpoints with a real tokenizer for the CLI's hostile-input tests, sound or damaged. */
final class TinyCheckpoints {
    private static final List<String> TEXTS = List.of("the cat sat on the mat", "a dog ran to the park",
            "please try this again", "what a lovely day it is");

    private TinyCheckpoints() {
    }

    /** A 1-layer, 16-wide GPT with a 300-token BPE, written to {@code dir}. */
    static Path sound(Path dir) {
        ByteLevelBpe tok = BpeTrainer.train(TEXTS, BpeTrainer.Config.of(300));
        GptConfig cfg = new GptConfig(1, 2, 16, 32, tok.vocabSize(), 0.0);
        try (Gpt model = Gpt.init(cfg, Device.cpu(), 1)) {
            Checkpoint.writer().config(cfg).parameters(model.parameters()).tokenizer(tok).write(dir);
        }
        return dir;
    }

    /** {@link #sound} with value 3 of {@code transformer.h.0.attn.c_attn.weight} set to NaN. */
    static Path withNan(Path dir) {
        sound(dir);
        Path weights = dir.resolve(Checkpoint.WEIGHTS);
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        try (Safetensors.Reader r = Safetensors.open(weights)) {
            for (String name : r.names()) tensors.put(name, r.read(name));
        }
        tensors.get("transformer.h.0.attn.c_attn.weight").values()[3] = Float.NaN;
        SafetensorsWriter w = Safetensors.writer();
        tensors.forEach(w::tensor);
        w.write(weights);
        return dir;
    }
}
