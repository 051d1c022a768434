package plaudit.train;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.model.CausalLm;
import plaudit.model.Llama;
import plaudit.model.LlamaCheckpoint;
import plaudit.model.LoraConfig;
import plaudit.model.LoraLm;
import plaudit.model.ModelFolder;
import plaudit.model.Safetensors;
import plaudit.model.TinyLlamas;
import plaudit.model.TinyModels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TrainingCheckpoint} of a model that trains other tensors than its weights (a {@link LoraLm}): the folder holds
 * the merged weights for any reader, {@code trainable.safetensors} the trained tensors, and a resumed run restores
 * those without touching the frozen base. A full Llama resumes from its {@code model.safetensors}.
 */
class AdapterCheckpointTest {
    private static final int[] IDS = {1, 7, 42, 13, 5, 60, 2, 33};
    private static final CheckpointSettings SETTINGS = CheckpointSettings.of(
            new SftTrainer.Config(4, 1, 1e-3, 0, 0, 1.0, 4, 0, 1));
    private static final LoraConfig LORA = new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj"));

    @TempDir
    Path tmp;

    @Test
    void adaptersAreSavedApartFromTheMergedWeightsAndRestoredOverAFreshBase() {
        Path src = TinyLlamas.write(tmp.resolve("src"), TinyLlamas.llama(), 5, Safetensors.DType.F32, 1);
        Path ckpt = tmp.resolve("ckpt");
        float[] trained;
        Map<String, float[]> adapters = new LinkedHashMap<>();
        try (Llama base = LlamaCheckpoint.read(src).model(Device.cpu()); LoraLm adapted = LoraLm.init(base, LORA, 1)) {
            TinyModels.randomiseLoraB(adapted);
            adapted.parameters().forEach((name, a) -> adapters.put(name, a.toFloatArray()));
            TrainingCheckpoint.save(ckpt, adapted, null, AdamW.of(adapted.parameters(), 0), Map.of(), 3, SETTINGS, Map.of());
            trained = adapted.sequenceLogProbs(IDS);
            try (CausalLm merged = ModelFolder.open(ckpt, Device.cpu())) {
                assertArrayEquals(trained, merged.sequenceLogProbs(IDS), 1e-5f, "model.safetensors holds the merged weights");
            }
        }
        assertTrue(Files.isRegularFile(ckpt.resolve("trainable.safetensors")));
        try (Llama freshBase = LlamaCheckpoint.read(src).model(Device.cpu());
             LoraLm fresh = LoraLm.init(freshBase, LORA, 2);
             Llama base = LlamaCheckpoint.read(src).model(Device.cpu())) {
            float[] untrained = fresh.sequenceLogProbs(IDS);
            TrainingCheckpoint.resume(ckpt, SETTINGS, fresh, AdamW.of(fresh.parameters(), 0), Map.of());
            fresh.parameters().forEach((name, a) -> assertArrayEquals(adapters.get(name), a.toFloatArray(), name));
            assertArrayEquals(trained, fresh.sequenceLogProbs(IDS), "the adapters, restored");
            assertFalse(Arrays.equals(untrained, trained), "the adapters change the model");
            base.parameters().forEach((name, w) -> assertArrayEquals(w.toFloatArray(),
                    fresh.base().parameters().get(name).toFloatArray(), name + ": the frozen base is left as loaded"));
        }
    }

    @Test
    void aFullLlamaResumesFromItsWeights() {
        Path a = TinyLlamas.write(tmp.resolve("a"), TinyLlamas.llama(), 5, Safetensors.DType.F32, 1);
        Path b = TinyLlamas.write(tmp.resolve("b"), TinyLlamas.llama(), 6, Safetensors.DType.F32, 1);
        Path ckpt = tmp.resolve("ckpt");
        try (Llama trained = LlamaCheckpoint.read(a).model(Device.cpu());
             Llama other = LlamaCheckpoint.read(b).model(Device.cpu())) {
            TrainingCheckpoint.save(ckpt, trained, null, AdamW.of(trained.parameters(), 0), Map.of(), 3, SETTINGS, Map.of());
            assertFalse(Files.exists(ckpt.resolve("trainable.safetensors")), "a full model's weights are what it trains");
            TrainingCheckpoint.resume(ckpt, SETTINGS, other, AdamW.of(other.parameters(), 0), Map.of());
            assertArrayEquals(trained.sequenceLogProbs(IDS), other.sequenceLogProbs(IDS));
        }
    }
}
