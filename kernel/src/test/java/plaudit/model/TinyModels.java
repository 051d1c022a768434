package plaudit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Tiny GPT-2 models for tests, with "lively" parameters: GPT-2's init (std 0.02, zero biases, unit gains) makes the
 * logits nearly constant, so comparisons against it would pass for almost any bug. These weights give logits of order 1.
 */
public final class TinyModels {

    static final GptConfig CONFIG = new GptConfig(2, 4, 32, 24, 97, 0.0);

    private TinyModels() {
    }

    /** Random parameter values under Hugging Face names, in Hugging Face order. */
    static LinkedHashMap<String, float[]> livelyValues(GptConfig cfg, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        LinkedHashMap<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : Gpt.parameterShapes(cfg).entrySet()) {
            String name = e.getKey();
            float[] v = new float[(int) e.getValue().size()];
            boolean gain = name.contains(".ln_") && name.endsWith(".weight");
            double std = name.endsWith(".bias") ? 0.1 : name.contains("wte") || name.contains("wpe") ? 0.5 : 0.2;
            for (int i = 0; i < v.length; i++) v[i] = (float) ((gain ? 1 : 0) + rng.nextGaussian() * (gain ? 0.1 : std));
            values.put(name, v);
        }
        return values;
    }

    static Gpt fromValues(GptConfig cfg, Map<String, float[]> values) {
        try (NDManager tmp = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            Map<String, Shape> shapes = Gpt.parameterShapes(cfg);
            values.forEach((k, v) -> arrays.put(k, tmp.create(v, shapes.get(k))));
            return Gpt.fromParameters(cfg, arrays, Device.cpu());
        }
    }

    static Gpt lively(long seed) {
        return lively(CONFIG, seed);
    }

    /** A model of {@code cfg} with lively parameters drawn from {@code seed}. */
    public static Gpt lively(GptConfig cfg, long seed) {
        return fromValues(cfg, livelyValues(cfg, seed));
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /** Overwrites every LoRA B of {@code view} with seeded values of std 0.1, as after some training. */
    public static void randomiseLoraB(CausalLm view) {
        SplittableRandom rng = new SplittableRandom(5);
        view.parameters().forEach((name, a) -> {
            if (!name.endsWith("lora_B.weight")) return;
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * 0.1);
            a.set(v);
        });
    }
}
