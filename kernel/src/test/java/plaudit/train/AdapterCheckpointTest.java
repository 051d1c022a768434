package plaudit.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.model.CausalLm;
import plaudit.model.KvCache;
import plaudit.model.Llama;
import plaudit.model.LlamaCheckpoint;
import plaudit.model.ModelFolder;
import plaudit.model.Safetensors;
import plaudit.model.TinyLlamas;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TrainingCheckpoint} of a model that trains other tensors than its weights (as LoRA does): the folder holds
 * the merged weights for any reader, {@code trainable.safetensors} the trained tensors, and a resumed run restores
 * those without touching the frozen base. A full Llama resumes from its {@code model.safetensors}.
 */
class AdapterCheckpointTest {
    private static final int[] IDS = {1, 7, 42, 13, 5, 60, 2, 33};
    private static final CheckpointSettings SETTINGS = CheckpointSettings.of(
            new SftTrainer.Config(4, 1, 1e-3, 0, 0, 1.0, 4, 0, 1));

    @TempDir
    Path tmp;

    @Test
    void adaptersAreSavedApartFromTheMergedWeightsAndRestoredOverAFreshBase() {
        Path src = TinyLlamas.write(tmp.resolve("src"), TinyLlamas.llama(), 5, Safetensors.DType.F32, 1);
        Path ckpt = tmp.resolve("ckpt");
        float[] trained;
        try (ScaledHidden adapted = new ScaledHidden(LlamaCheckpoint.read(src).model(Device.cpu()), 1.5f)) {
            TrainingCheckpoint.save(ckpt, adapted, null, AdamW.of(adapted.parameters(), 0), Map.of(), 3, SETTINGS, Map.of());
            trained = adapted.sequenceLogProbs(IDS);
            try (CausalLm merged = ModelFolder.open(ckpt, Device.cpu())) {
                assertArrayEquals(trained, merged.sequenceLogProbs(IDS), 1e-5f, "model.safetensors holds the merged weights");
            }
        }
        assertTrue(Files.isRegularFile(ckpt.resolve("trainable.safetensors")));
        try (ScaledHidden fresh = new ScaledHidden(LlamaCheckpoint.read(src).model(Device.cpu()), 1f);
             Llama base = LlamaCheckpoint.read(src).model(Device.cpu())) {
            float[] untrained = fresh.sequenceLogProbs(IDS);
            TrainingCheckpoint.resume(ckpt, SETTINGS, fresh, AdamW.of(fresh.parameters(), 0), Map.of());
            assertEquals(1.5f, fresh.parameters().get("scale").getFloat());
            assertArrayEquals(trained, fresh.sequenceLogProbs(IDS), "the adapter, restored");
            assertFalse(Arrays.equals(untrained, trained), "the adapter changes the model");
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

    /**
     * A test-only adapter model: a Llama's hidden states times one trained scalar {@code scale}; its weights are the
     * base's with the scalar merged into the final norm's gain ({@code hidden = norm(x) · g}, so {@code · s} is
     * {@code g · s}).
     */
    private static final class ScaledHidden implements CausalLm {
        private static final String NORM = "model.norm.weight";
        private final Llama base;
        private final NDArray scale;

        ScaledHidden(Llama base, float s) {
            this.base = base;
            this.scale = base.manager().create(new float[] {s});
        }

        @Override
        public Map<String, NDArray> parameters() {
            Map<String, NDArray> p = new LinkedHashMap<>();
            p.put("scale", scale);
            return p;
        }

        @Override
        public Map<String, NDArray> weights(NDManager m) {
            Map<String, NDArray> w = new LinkedHashMap<>(base.parameters());
            NDArray gain = w.get(NORM);
            float[] g = gain.toFloatArray();
            for (int i = 0; i < g.length; i++) g[i] *= scale.getFloat();
            w.put(NORM, m.create(g, gain.getShape()));
            return w;
        }

        @Override
        public CausalLm base() {
            return base;
        }

        @Override
        public NDArray hidden(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache, boolean train) {
            return base.hidden(ids, attentionMask, positionIds, cache, train).mul(scale);
        }

        @Override
        public NDArray logits(NDArray hidden) {
            return base.logits(hidden);
        }

        @Override
        public void setTrainable(boolean on) {
            scale.setRequiresGradient(on);
        }

        @Override
        public String modelType() {
            return base.modelType();
        }

        @Override
        public int vocabSize() {
            return base.vocabSize();
        }

        @Override
        public int contextLength() {
            return base.contextLength();
        }

        @Override
        public String contextLengthKey() {
            return base.contextLengthKey();
        }

        @Override
        public int hiddenSize() {
            return base.hiddenSize();
        }

        @Override
        public Device device() {
            return base.device();
        }

        @Override
        public NDManager manager() {
            return base.manager();
        }

        @Override
        public KvCache newCache(int rows, int capacity) {
            return base.newCache(rows, capacity);
        }

        @Override
        public void close() {
            base.close();
        }
    }
}
