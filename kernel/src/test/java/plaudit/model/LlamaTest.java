package plaudit.model;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the Llama-family forward pass that need no reference implementation (parity with PyTorch is
 * {@link LlamaParityTest}): grouped-query attention equals full attention with each key/value head copied to its
 * query heads, a tied head equals an untied copy, shards equal one file, and no position sees the future.
 */
class LlamaTest {
    @TempDir
    Path tmp;

    private static int[] ids(int n, int vocab, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = rng.nextInt(vocab);
        return ids;
    }

    private float[] logProbs(Path dir, int[] ids) {
        try (CausalLm lm = ModelFolder.open(dir, Device.cpu())) {
            return lm.sequenceLogProbs(ids);
        }
    }

    private static LlamaConfig withKvHeads(LlamaConfig c, int kv) {
        return new LlamaConfig(c.modelType(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(),
                c.numAttentionHeads(), kv, c.headDim(), c.maxPositionEmbeddings(), c.rmsNormEps(), c.ropeTheta(),
                c.ropeScaling(), c.tieWordEmbeddings(), c.attentionBias(), c.mlpBias());
    }

    /** Query head h of a model with 2 key/value heads for 4 query heads reads key/value head h / 2 (HF's repeat_kv). */
    @Test
    void groupedQueryAttentionEqualsCopiedHeads() {
        for (LlamaConfig gqa : new LlamaConfig[] {TinyLlamas.llama(), TinyLlamas.qwen2(), TinyLlamas.qwen3()}) {
            LlamaConfig full = withKvHeads(gqa, gqa.numAttentionHeads());
            int group = gqa.numAttentionHeads() / gqa.numKeyValueHeads();
            int d = gqa.headDim();
            int h = gqa.hiddenSize();
            Map<String, float[]> values = TinyLlamas.values(gqa, 3);
            Map<String, float[]> copied = new LinkedHashMap<>();
            values.forEach((name, v) -> {
                boolean kv = name.contains("k_proj") || name.contains("v_proj");
                if (!kv) {
                    copied.put(name, v);
                    return;
                }
                int width = name.endsWith(".weight") ? h : 1;      // values per output row
                float[] out = new float[full.numKeyValueHeads() * d * width];
                for (int head = 0; head < full.numKeyValueHeads(); head++) {
                    System.arraycopy(v, head / group * d * width, out, head * d * width, d * width);
                }
                copied.put(name, out);
            });
            int[] ids = ids(40, gqa.vocabSize(), 11);
            float[] a = logProbs(TinyLlamas.write(tmp.resolve(gqa.modelType() + "-gqa"), gqa, values, Safetensors.DType.F32, 1), ids);
            float[] b = logProbs(TinyLlamas.write(tmp.resolve(gqa.modelType() + "-full"), full, copied, Safetensors.DType.F32, 1), ids);
            assertArrayEquals(b, a, 1e-5f, gqa.modelType());
        }
    }

    @Test
    void tiedHeadEqualsAnUntiedCopyAndShardsEqualOneFile() {
        LlamaConfig tied = TinyLlamas.qwen2();
        LlamaConfig untied = new LlamaConfig("qwen2", 61, 32, 48, 2, 4, 2, 8, 64, 1e-6, 1_000_000, null, false, false, false);
        Map<String, float[]> values = TinyLlamas.values(tied, 5);
        Map<String, float[]> withHead = new LinkedHashMap<>(values);
        withHead.put("lm_head.weight", values.get("model.embed_tokens.weight").clone());
        int[] ids = ids(50, 61, 2);
        float[] one = logProbs(TinyLlamas.write(tmp.resolve("tied"), tied, values, Safetensors.DType.BF16, 1), ids);
        float[] sharded = logProbs(TinyLlamas.write(tmp.resolve("sharded"), tied, values, Safetensors.DType.BF16, 4), ids);
        float[] copy = logProbs(TinyLlamas.write(tmp.resolve("untied"), untied, withHead, Safetensors.DType.BF16, 1), ids);
        assertArrayEquals(one, sharded, 0f);
        assertArrayEquals(one, copy, 0f);
    }

    /** Commands that still read GPT-2 only (sample, sft, ...) say so for a Llama folder instead of listing its keys. */
    @Test
    void gpt2OnlyReadersNameTheFamily() {
        Path dir = TinyLlamas.write(tmp.resolve("qwen3"), TinyLlamas.qwen3(), 1, Safetensors.DType.F32, 1);
        UserError e = assertThrows(UserError.class, () -> Checkpoint.read(dir));
        assertTrue(e.getMessage().contains("model_type \"qwen3\" is read only by plaudit logprobs and sample so far"), e.getMessage());
    }

    /** The log-probabilities of a prefix do not change when tokens follow it: attention is causal. */
    @Test
    void noPositionSeesTheFuture() {
        Path dir = TinyLlamas.write(tmp.resolve("llama3"), TinyLlamas.llama3(), 9, Safetensors.DType.F32, 1);
        int[] ids = ids(100, 61, 4);
        float[] all = logProbs(dir, ids);
        float[] prefix = logProbs(dir, Arrays.copyOf(ids, 30));
        assertArrayEquals(prefix, Arrays.copyOf(all, 29), 1e-5f);
        double spread = 0;
        for (float lp : all) {
            assertTrue(lp < 0 && Float.isFinite(lp));
            spread = Math.max(spread, Math.abs(lp - all[0]));
        }
        assertTrue(spread > 1, "lively weights should give log-probs that vary, got spread " + spread);
        assertEquals(99, all.length);
    }
}
