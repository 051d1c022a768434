package plaudit.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import plaudit.data.RewardFunction;
import plaudit.model.CausalLm;
import plaudit.model.Llama;
import plaudit.model.LlamaConfig;
import plaudit.model.LoraLm;
import plaudit.model.LoraSettings;
import plaudit.model.ScoreModel;
import plaudit.text.Tokenizer;
import plaudit.train.pg.ResponseBatch;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static java.util.Collections.newSetFromMap;

/**
 * One mode of the LoRA benchmark, run inside the child JVM that {@link LoraBench} starts for it, so that the peak
 * resident set is this mode's alone: builds the PPO models (full fine-tuning: policy, reference and value trunk are
 * three copies of the base; LoRA: one base under a policy view and a value view, the base itself the reference),
 * measures the activations of one minibatch, then times PPO steps.
 */
final class LoraStep {
    /** Rank 8 on every linear projection: what {@code plaudit ppo --lora-rank 8} trains with the defaults. */
    static final LoraSettings LORA = new LoraSettings(8, LoraSettings.defaults().alpha(),
            LoraSettings.defaults().dropout(), LoraSettings.defaults().targets());

    private LoraStep() {
    }

    enum Mode {
        FULL, LORA;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What one mode measured. Memory in MiB: {@code baselineMb} the JVM with the engine loaded before any model;
     * {@code weightsMb} every distinct weight array the models hold (base copies, adapters, heads);
     * {@code trainedMb} the trained parameters' float32 size (grads and each AdamW moment are as large);
     * {@code activationsMb} the rise of the resident set over one minibatch's forward and backward pass, gradients
     * excluded; {@code peakMb} the process's high-water mark over its whole life.
     */
    record Result(String mode, long trainedParameters, double[] stepSeconds, double baseCopies, double baselineMb,
                  double weightsMb, double trainedMb, double activationsMb, double peakMb) {
        /** The estimate the target compares peak RSS with: baseline + weights + trained × (grads + 2 moments) + activations. */
        double estimateMb() {
            return baselineMb + weightsMb + 3 * trainedMb + activationsMb;
        }
    }

    /** PPO's shapes for one scale: rollout batch, minibatch, prompt and response tokens. */
    record Shapes(LlamaConfig model, int batch, int miniBatch, int promptTokens, int responseTokens) {
    }

    static Result run(Mode mode, Shapes s, Device device, int rounds) {
        try (NDManager probe = Engine.getEngine("PyTorch").newBaseManager(device)) {
            probe.ones(new Shape(2, 2)).matMul(probe.ones(new Shape(2, 2))).toFloatArray(); // the native library is in
        }
        double baseline = mib(rss("VmHWM:"));
        Tokenizer tok = new PpoBench.NumberTokenizer(s.model().vocabSize());
        SplittableRandom rng = new SplittableRandom(5);
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            prompts.add(PpoBench.NumberTokenizer.text(rng.ints(s.promptTokens(), 0, tok.eosId()).toArray()));
        }
        PpoConfig pc = PpoConfig.SETTINGS.builder().set(PpoConfig.STEPS, rounds + 1).set(PpoConfig.BATCH_SIZE, s.batch())
                .set(PpoConfig.MINI_BATCH_SIZE, s.miniBatch()).set(PpoConfig.RESPONSE_LENGTH, s.responseTokens())
                .set(PpoConfig.SEED, 3L).set(PpoConfig.SAMPLE_EVERY, 0).build();
        try (Models m = Models.of(mode, s.model(), device)) {
            PpoTrainer trainer = new PpoTrainer(m.policy, m.ref, m.value, LoraStep::evenShare, null, tok, prompts, pc);
            long trained = count(m.policy.parameters()) + count(m.value.parameters());
            double loadPeak = mib(rss("VmHWM:"));
            double activations = activationsMb(m, s, trained);
            trainer.step(null); // warm-up: first-call costs (allocator, kernels) stay out of the timing
            double[] seconds = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                trainer.step(null);
                seconds[i] = (System.nanoTime() - t0) / 1e9;
            }
            double peak = Math.max(loadPeak, mib(rss("VmHWM:")));
            return new Result(mode.key(), trained, seconds, m.baseCopies(), baseline, m.weightsMb(),
                    trained * 4 / (double) (1 << 20), activations, peak);
        }
    }

    /** A cheap deterministic reward of the response alone: the share of even token ids (no reward model to run). */
    static double evenShare(String prompt, String response) {
        if (response.isBlank()) return 0;
        String[] ids = response.strip().split(" +");
        return Arrays.stream(ids).filter(t -> Integer.parseInt(t) % 2 == 0).count() / (double) ids.length;
    }

    /**
     * The resident set's rise over one minibatch of the step's shapes run as PPO's update runs it (policy log-probs
     * and entropy over the vocabulary, value scores, backward of their sum), without an optimizer: the high-water
     * mark is reset to the current resident set first (Linux's clear_refs 5), and the gradients the backward pass
     * allocates (counted apart in the estimate) are taken off. The loss is multiplied by 0 so that the first timed
     * step starts from the same weights.
     */
    private static double activationsMb(Models m, Shapes s, long trained) {
        SplittableRandom rng = new SplittableRandom(11);
        int[][] prompts = new int[s.miniBatch()][], responses = new int[s.miniBatch()][];
        for (int i = 0; i < s.miniBatch(); i++) {
            prompts[i] = rng.ints(s.promptTokens(), 0, s.model().vocabSize() - 1).toArray();
            responses[i] = rng.ints(s.responseTokens(), 0, s.model().vocabSize() - 1).toArray();
        }
        double before = mib(rss("VmRSS:"));
        resetPeak();
        try (NDManager scope = m.policy.manager().newSubManager(m.policy.device());
             GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            ResponseBatch b = ResponseBatch.of(scope, prompts, responses, IntStream.range(0, s.miniBatch()).toArray());
            NDArray logits = ResponseBatch.logits(m.policy, b.hidden(m.policy), 1.0);
            NDArray logp = CausalLm.tokenLogProbs(logits, b.responseIds());
            NDArray logSoftmax = logits.logSoftmax(-1);
            NDArray entropy = logSoftmax.exp().mul(logSoftmax).sum(new int[] {-1});
            gc.backward(logp.sum().add(entropy.sum()).add(b.values(m.value).sum()).mul(0));
        }
        return mib(rss("VmHWM:")) - before - trained * 4 / (double) (1 << 20);
    }

    /** The models of one mode; closing closes the views before the bases. */
    private record Models(CausalLm policy, CausalLm ref, ScoreModel value, List<AutoCloseable> owned)
            implements AutoCloseable {
        static Models of(Mode mode, LlamaConfig cfg, Device device) {
            if (mode == Mode.FULL) {
                // as PPO runs today: the policy and the reference start as the same model, the value trunk another copy
                Llama policy = Llama.init(cfg, device, 1), ref = Llama.init(cfg, device, 1);
                ScoreModel value = ScoreModel.withNewHead(Llama.init(cfg, device, 1), 3);
                return new Models(policy, ref, value, List.of(value, ref, policy));
            }
            Llama base = Llama.init(cfg, device, 1);
            LoraLm policy = LoraLm.init(base, LORA.config(base.modelType()), 2);
            ScoreModel value = ScoreModel.withNewHead(LoraLm.init(base, LORA.config(base.modelType()), 4), 3);
            return new Models(policy, base, value, List.of(value, policy, base));
        }

        /** Distinct base weight arrays the three models reach, in copies of one base (computed, not assumed). */
        double baseCopies() {
            Set<NDArray> arrays = newSetFromMap(new IdentityHashMap<>());
            for (CausalLm lm : List.of(policy, ref, value.trunk())) arrays.addAll(lm.base().parameters().values());
            return arrays.size() / (double) policy.base().parameters().size();
        }

        /** Every distinct weight array held (bases, adapters, the value head), float32, in MiB. */
        double weightsMb() {
            Set<NDArray> arrays = newSetFromMap(new IdentityHashMap<>());
            for (CausalLm lm : List.of(policy, ref, value.trunk())) {
                arrays.addAll(lm.base().parameters().values());
                arrays.addAll(lm.parameters().values());
            }
            arrays.addAll(value.headParameters().values());
            return arrays.stream().mapToLong(NDArray::size).sum() * 4 / (double) (1 << 20);
        }

        @Override
        public void close() {
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing the benchmark's models", e);
                }
            }
        }
    }

    private static long count(Map<String, NDArray> params) {
        return params.values().stream().mapToLong(NDArray::size).sum();
    }

    private static double mib(long bytes) {
        return bytes / (double) (1 << 20);
    }

    /** A memory line of this process's /proc status in bytes ({@code VmHWM:} peak, {@code VmRSS:} now). */
    private static long rss(String field) {
        long b = PpoBench.rssBytes(field);
        if (b < 0) throw new IllegalStateException("the LoRA benchmark reads /proc/self/status (Linux); " + field + " is missing");
        return b;
    }

    /** Sets the high-water mark back to the current resident set (Linux ≥ 4.0). */
    private static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset the peak RSS through /proc/self/clear_refs", e);
        }
    }
}
