package plaudit.bench;

import ai.djl.Device;
import plaudit.model.Devices;
import plaudit.model.Generator;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.SamplingConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Tokens per second of {@link Generator} with and without the KV cache on a ~12M-parameter GPT-2
 * (n_layer 6, n_head 6, n_embd 384, block 256, vocab 4096), random weights.
 * Usage: {@code GenerationBench [device] [promptTokens] [newTokens] [batch...]}, e.g. {@code cpu 16 48 1 16}.
 */
public final class GenerationBench {

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        Device device = Devices.parse(args.length > 0 ? args[0] : "cpu");
        int promptLen = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int newTokens = args.length > 2 ? Integer.parseInt(args[2]) : 48;
        List<Integer> batches = new ArrayList<>();
        for (int i = 3; i < args.length; i++) batches.add(Integer.parseInt(args[i]));
        if (batches.isEmpty()) batches = List.of(1, 16);

        GptConfig cfg = new GptConfig(6, 6, 384, 256, 4096, 0.0);
        SamplingConfig sampling = SamplingConfig.defaults().withMaxNewTokens(newTokens).withSeed(1);
        try (Gpt model = Gpt.init(cfg, device, 0)) {
            System.out.printf("model: %,d parameters on %s; prompt %d tokens, %d new tokens%n",
                    cfg.parameterCount(), device, promptLen, newTokens);
            for (int batch : batches) {
                List<int[]> prompts = prompts(batch, promptLen, cfg.vocabSize());
                for (boolean cache : new boolean[] {true, false}) {
                    Generator.generate(model, prompts, sampling.withMaxNewTokens(4), cache); // warm-up
                    long t0 = System.nanoTime();
                    Generator.generate(model, prompts, sampling, cache);
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("batch %2d  %-8s %8.1f tokens/s  (%.2f s)%n",
                            batch, cache ? "kv-cache" : "no-cache", batch * newTokens / s, s);
                }
            }
        }
    }

    private static List<int[]> prompts(int batch, int len, int vocab) {
        SplittableRandom rng = new SplittableRandom(batch);
        List<int[]> out = new ArrayList<>();
        for (int r = 0; r < batch; r++) out.add(rng.ints(len, 0, vocab).toArray());
        return out;
    }
}
