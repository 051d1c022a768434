package plaudit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import plaudit.UserError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptTest {

    private static final GptConfig CFG = TinyModels.CONFIG;
    private static final int V = CFG.vocabSize();

    private static long[] randomIds(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(V);
        return ids;
    }

    @Test
    void forwardMatchesPlainJavaReference() {
        LinkedHashMap<String, float[]> values = TinyModels.livelyValues(CFG, 11);
        ReferenceGpt ref = new ReferenceGpt(CFG, values);
        long[] ids = randomIds(CFG.blockSize(), 5);
        int[] intIds = new int[ids.length];
        for (int i = 0; i < ids.length; i++) intIds[i] = (int) ids[i];
        double[][] expected = ref.logits(intIds);
        try (Gpt model = TinyModels.fromValues(CFG, values); NDManager step = model.manager().newSubManager()) {
            float[] got = model.forward(step.create(ids, new Shape(1, ids.length)), null, null, null, false).toFloatArray();
            double maxDiff = 0;
            double maxAbs = 0;
            for (int t = 0; t < ids.length; t++) {
                for (int v = 0; v < V; v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(got[t * V + v] - expected[t][v]));
                    maxAbs = Math.max(maxAbs, Math.abs(expected[t][v]));
                }
            }
            assertTrue(maxAbs > 1, "reference logits should be of order 1, got max |logit| " + maxAbs);
            assertTrue(maxDiff <= 1e-4, "max |DJL - reference| = " + maxDiff);
        }
    }

    @Test
    void cachedIncrementalLogitsEqualFullForward() {
        int b = 3;
        int t = 14;
        long[] ids = randomIds(b * t, 6);
        try (Gpt model = TinyModels.lively(12); NDManager step = model.manager().newSubManager()) {
            float[] full = model.forward(step.create(ids, new Shape(b, t)), null, null, null, false).toFloatArray();
            // Feed a 5-token chunk, then one token at a time, as generation does.
            float[] inc = new float[b * t * V];
            try (KvCache cache = model.newCache(b, t)) {
                int[] cuts = {0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
                for (int c = 0; c + 1 < cuts.length; c++) {
                    NDArray chunk = step.create(ids, new Shape(b, t)).get(NDIndex.sliceAxis(1, cuts[c], cuts[c + 1]));
                    float[] out = model.forward(chunk, null, null, cache, false).toFloatArray();
                    int w = cuts[c + 1] - cuts[c];
                    for (int r = 0; r < b; r++) {
                        System.arraycopy(out, r * w * V, inc, (r * t + cuts[c]) * V, w * V);
                    }
                }
                assertEquals(t, cache.length());
            }
            double d = TinyModels.maxAbsDiff(full, inc);
            assertTrue(d <= 1e-4, "max |cached - full| = " + d);
        }
    }

    @Test
    void leftPaddedBatchMatchesEachSequenceAlone() {
        int[] lengths = {9, 4, 1};
        int t = 9;
        long[][] seqs = new long[lengths.length][];
        for (int r = 0; r < lengths.length; r++) seqs[r] = randomIds(lengths[r], 20 + r);
        long[] ids = new long[lengths.length * t];
        float[] mask = new float[lengths.length * t];
        for (int r = 0; r < lengths.length; r++) {
            int pad = t - lengths[r];
            for (int i = 0; i < lengths[r]; i++) {
                ids[r * t + pad + i] = seqs[r][i];
                mask[r * t + pad + i] = 1;
            }
            for (int i = 0; i < pad; i++) ids[r * t + i] = 7; // a real token id: padding must be masked, not absent
        }
        try (Gpt model = TinyModels.lively(13); NDManager step = model.manager().newSubManager()) {
            Shape shape = new Shape(lengths.length, t);
            float[] batch = model.forward(step.create(ids, shape), step.create(mask, shape), null, null, false)
                    .toFloatArray();
            for (int r = 0; r < lengths.length; r++) {
                int n = lengths[r];
                float[] alone = model.forward(step.create(seqs[r], new Shape(1, n)), null, null, null, false)
                        .toFloatArray();
                float[] fromBatch = new float[n * V];
                System.arraycopy(batch, (r * t + t - n) * V, fromBatch, 0, n * V);
                double d = TinyModels.maxAbsDiff(alone, fromBatch);
                assertTrue(d <= 1e-4, "row " + r + ": max |padded - alone| = " + d);
            }
            for (float x : batch) assertTrue(Float.isFinite(x), "fully masked pad rows must not produce NaN");
        }
    }

    @Test
    void parameterNamesAndShapesAreHuggingFaces() {
        List<String> expected = new ArrayList<>(List.of("transformer.wte.weight [97, 32]", "transformer.wpe.weight [24, 32]"));
        for (int i = 0; i < 2; i++) {
            String h = "transformer.h." + i + ".";
            expected.addAll(List.of(h + "ln_1.weight [32]", h + "ln_1.bias [32]",
                    h + "attn.c_attn.weight [32, 96]", h + "attn.c_attn.bias [96]",
                    h + "attn.c_proj.weight [32, 32]", h + "attn.c_proj.bias [32]",
                    h + "ln_2.weight [32]", h + "ln_2.bias [32]",
                    h + "mlp.c_fc.weight [32, 128]", h + "mlp.c_fc.bias [128]",
                    h + "mlp.c_proj.weight [128, 32]", h + "mlp.c_proj.bias [32]"));
        }
        expected.addAll(List.of("transformer.ln_f.weight [32]", "transformer.ln_f.bias [32]"));
        try (Gpt model = Gpt.init(CFG, Device.cpu(), 1)) {
            List<String> got = new ArrayList<>();
            long count = 0;
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                long[] s = e.getValue().getShape().getShape();
                got.add(e.getKey() + " " + Arrays.toString(s));
                count += e.getValue().size();
            }
            assertEquals(expected, got);
            assertEquals(CFG.parameterCount(), count);
        }
    }

    @Test
    void initIsGpt2StyleAndDeterministicPerSeed() {
        GptConfig cfg = new GptConfig(2, 4, 64, 32, 500, 0.0);
        try (Gpt a = Gpt.init(cfg, Device.cpu(), 3); Gpt b = Gpt.init(cfg, Device.cpu(), 3);
             Gpt c = Gpt.init(cfg, Device.cpu(), 4)) {
            Map<String, NDArray> pa = a.parameters();
            for (String k : pa.keySet()) assertArrayEquals(pa.get(k).toFloatArray(), b.parameters().get(k).toFloatArray(), k);
            assertNotEquals(pa.get("transformer.wte.weight").getFloat(0, 0),
                    c.parameters().get("transformer.wte.weight").getFloat(0, 0));
            assertEquals(0.02, std(pa.get("transformer.wte.weight").toFloatArray()), 0.001);
            assertEquals(0.02, std(pa.get("transformer.h.1.mlp.c_fc.weight").toFloatArray()), 0.001);
            assertEquals(0.02 / Math.sqrt(4), std(pa.get("transformer.h.1.mlp.c_proj.weight").toFloatArray()), 0.0005);
            assertEquals(0.02 / Math.sqrt(4), std(pa.get("transformer.h.0.attn.c_proj.weight").toFloatArray()), 0.0005);
            for (float x : pa.get("transformer.h.0.attn.c_attn.bias").toFloatArray()) assertEquals(0f, x);
            for (float x : pa.get("transformer.h.0.ln_2.weight").toFloatArray()) assertEquals(1f, x);
            for (float x : pa.get("transformer.ln_f.bias").toFloatArray()) assertEquals(0f, x);
        }
    }

    private static double std(float[] v) {
        double s = 0;
        double s2 = 0;
        for (float x : v) {
            s += x;
            s2 += x * x;
        }
        double mean = s / v.length;
        return Math.sqrt(s2 / v.length - mean * mean);
    }

    @Test
    void maskedLossIsTheMeanOverSelectedTargets() {
        int b = 2;
        int t = 6;
        long[] ids = randomIds(b * t, 30);
        long[] targets = randomIds(b * t, 31);
        float[] mask = {0, 0, 1, 1, 1, 0, /* row 2 */ 1, 0, 0, 0, 1, 1};
        try (Gpt model = TinyModels.lively(14); NDManager step = model.manager().newSubManager()) {
            Shape shape = new Shape(b, t);
            float[] logits = model.forward(step.create(ids, shape), null, null, null, false).toFloatArray();
            double sum = 0;
            int n = 0;
            for (int i = 0; i < b * t; i++) {
                if (mask[i] == 0) continue;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < V; v++) max = Math.max(max, logits[i * V + v]);
                double z = 0;
                for (int v = 0; v < V; v++) z += Math.exp(logits[i * V + v] - max);
                sum += -(logits[i * V + (int) targets[i]] - max - Math.log(z));
                n++;
            }
            float loss = model.loss(step.create(ids, shape), step.create(targets, shape), step.create(mask, shape), false)
                    .getFloat();
            assertEquals(sum / n, loss, 1e-5);
            float unmasked = model.loss(step.create(ids, shape), step.create(targets, shape), step.ones(shape), false)
                    .getFloat();
            assertNotEquals(loss, unmasked, 1e-3, "the mask must change which targets count");
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        LinkedHashMap<String, float[]> values = TinyModels.livelyValues(CFG, 15);
        int b = 2;
        int t = 7;
        long[] ids = randomIds(b * t, 40);
        long[] targets = randomIds(b * t, 41);
        String[] probes = {"transformer.h.0.attn.c_attn.weight", "transformer.h.1.ln_1.bias", "transformer.wte.weight",
                "transformer.wpe.weight", "transformer.h.1.mlp.c_fc.weight"};
        int index = 3;
        float[] analytic = new float[probes.length];
        try (Gpt model = TinyModels.fromValues(CFG, values); NDManager step = model.manager().newSubManager()) {
            model.setTrainable(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = model.loss(step.create(ids, new Shape(b, t)), step.create(targets, new Shape(b, t)),
                        step.ones(new Shape(b, t)), false);
                gc.backward(loss);
            }
            for (int i = 0; i < probes.length; i++) {
                NDArray g = model.parameters().get(probes[i]).getGradient();
                g.attach(step);
                analytic[i] = g.toFloatArray()[index];
            }
        }
        double eps = 1e-2;
        for (int i = 0; i < probes.length; i++) {
            double numeric = (lossWith(values, probes[i], index, eps, ids, targets, b, t)
                    - lossWith(values, probes[i], index, -eps, ids, targets, b, t)) / (2 * eps);
            assertEquals(numeric, analytic[i], 2e-3 + 0.02 * Math.abs(numeric), probes[i]);
        }
    }

    private static double lossWith(Map<String, float[]> values, String key, int index, double delta, long[] ids,
                                   long[] targets, int b, int t) {
        LinkedHashMap<String, float[]> copy = new LinkedHashMap<>(values);
        float[] w = copy.get(key).clone();
        w[index] += (float) delta;
        copy.put(key, w);
        try (Gpt model = TinyModels.fromValues(CFG, copy); NDManager step = model.manager().newSubManager()) {
            return model.loss(step.create(ids, new Shape(b, t)), step.create(targets, new Shape(b, t)),
                    step.ones(new Shape(b, t)), false).getFloat();
        }
    }

    @Test
    void dropoutOnlyWhenTraining() {
        long[] ids = randomIds(10, 50);
        try (Gpt model = TinyModels.fromValues(CFG.withDropout(0.3), TinyModels.livelyValues(CFG, 16));
             NDManager step = model.manager().newSubManager()) {
            Shape s = new Shape(1, 10);
            float[] eval1 = model.forward(step.create(ids, s), null, null, null, false).toFloatArray();
            float[] eval2 = model.forward(step.create(ids, s), null, null, null, false).toFloatArray();
            float[] train = model.forward(step.create(ids, s), null, null, null, true).toFloatArray();
            assertArrayEquals(eval1, eval2);
            assertTrue(TinyModels.maxAbsDiff(eval1, train) > 1e-2, "train=true must apply dropout");
        }
    }

    @Test
    void forwardPassesLeaveNothingInTheParameterManager() {
        try (Gpt model = TinyModels.lively(17)) {
            NDManager params = model.manager();
            int before = params.getManagedArrays().size();
            long[] ids = randomIds(2 * 8, 60);
            float[] mask = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
            for (int i = 0; i < 50; i++) {
                try (NDManager step = params.newSubManager()) {
                    Shape s = new Shape(2, 8);
                    model.forward(step.create(ids, s), step.create(mask, s), null, null, i % 2 == 0);
                    model.loss(step.create(ids, s), step.create(ids, s), step.ones(s), false);
                    try (KvCache cache = model.newCache(2, 9)) {
                        model.forward(step.create(ids, s), step.create(mask, s), null, cache, false);
                        model.forward(step.create(new long[] {1, 2}, new Shape(2, 1)), null, null, cache, false);
                    }
                    // sub-managers count towards their parent, so this shows the count does see step arrays
                    assertTrue(params.getManagedArrays().size() > before);
                }
            }
            Generator.generate(model, List.of(new int[] {1, 2, 3}, new int[] {4}),
                    SamplingConfig.defaults().withMaxNewTokens(5));
            assertEquals(before, params.getManagedArrays().size());
        }
    }

    @Test
    void fromParametersNamesTheBadKey() {
        try (Gpt model = TinyModels.lively(18); NDManager tmp = NDManager.newBaseManager("PyTorch")) {
            LinkedHashMap<String, NDArray> missing = model.parameters();
            missing.remove("transformer.h.1.mlp.c_fc.bias");
            UserError e = assertThrows(UserError.class, () -> Gpt.fromParameters(CFG, missing, Device.cpu()));
            assertTrue(e.getMessage().contains("missing key 'transformer.h.1.mlp.c_fc.bias'"), e.getMessage());

            LinkedHashMap<String, NDArray> wrongShape = model.parameters();
            // a Linear-layout [out, in] weight where GPT-2's Conv1D [in, out] is expected
            wrongShape.put("transformer.h.0.attn.c_attn.weight", tmp.zeros(new Shape(96, 32)));
            e = assertThrows(UserError.class, () -> Gpt.fromParameters(CFG, wrongShape, Device.cpu()));
            assertTrue(e.getMessage().contains("'transformer.h.0.attn.c_attn.weight' has shape (96, 32)"), e.getMessage());
            assertTrue(e.getMessage().contains("(32, 96)"), e.getMessage());

            LinkedHashMap<String, NDArray> extra = model.parameters();
            extra.put("lm_head.weight", tmp.zeros(new Shape(V, 32)));
            e = assertThrows(UserError.class, () -> Gpt.fromParameters(CFG, extra, Device.cpu()));
            assertTrue(e.getMessage().contains("unexpected key 'lm_head.weight'"), e.getMessage());
        }
    }

    @Test
    void fromParametersCopiesAndReproducesTheModel() {
        long[] ids = randomIds(6, 70);
        try (Gpt model = TinyModels.lively(19); Gpt copy = Gpt.fromParameters(CFG, model.parameters(), Device.cpu());
             NDManager step = model.manager().newSubManager()) {
            float[] a = model.forward(step.create(ids, new Shape(1, 6)), null, null, null, false).toFloatArray();
            float[] b = copy.forward(step.create(ids, new Shape(1, 6)), null, null, null, false).toFloatArray();
            assertArrayEquals(a, b);
            copy.parameters().get("transformer.ln_f.bias").addi(1f); // must not write through to the original
            float[] c = model.forward(step.create(ids, new Shape(1, 6)), null, null, null, false).toFloatArray();
            assertArrayEquals(a, c);
        }
    }
}
