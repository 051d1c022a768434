package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import plaudit.UserError;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Batched sampling from any {@link CausalLm}. Prompts are left-padded to a common length so every row's
 * next token sits in the last column; the prompt is run once and each new token reuses the keys and values in a
 * {@link KvCache}.
 * Tokens are drawn on the host from one copy of the last position's logits per step.
 */
public final class Generator {
    private static final int MAX_BATCH_ROWS = 1024;

    private Generator() {
    }

    /** Samples with the KV cache. */
    public static Generation generate(CausalLm model, List<int[]> prompts, SamplingConfig cfg) {
        return generate(model, prompts, cfg, true);
    }

    /**
     * Turns the left-padded prompt batch (ids and mask {@code [B, T]}) into input embeddings {@code [B, T, C]} owned by
     * the ids' manager: how a soft prompt or another non-token input reaches the model while sampling.
     */
    @FunctionalInterface
    public interface PromptEmbedding {
        NDArray embed(Gpt model, NDArray ids, NDArray mask);
    }

    /** Samples with the KV cache; the prompts enter the model through {@code promptEmbedding}, the new tokens as ids. */
    public static Generation generate(Gpt model, List<int[]> prompts, SamplingConfig cfg, PromptEmbedding promptEmbedding) {
        return generate(model, prompts, cfg, true, promptEmbedding);
    }

    /**
     * Samples a response for each prompt until it draws {@code cfg.eosId()} (kept in the response) or reaches
     * {@code cfg.maxNewTokens()}. Each row has its own random stream split from {@code cfg.seed()}, so a row's draws do
     * not depend on when the other rows stop. {@code useCache = false} recomputes the full forward for every token
     * (the baseline for the benchmark); it gives the same tokens up to float rounding.
     */
    public static Generation generate(CausalLm model, List<int[]> prompts, SamplingConfig cfg, boolean useCache) {
        return generate(model, prompts, cfg, new int[0], useCache);
    }

    /**
     * Samples {@code count} responses to one prompt in batches of at most {@code batch} rows, handing each batch to
     * {@code sink} before the next is drawn, so memory follows {@code batch}, not {@code count}. Row i draws from the
     * same random stream as row i of one batch of {@code count}.
     */
    public static void generateInBatches(CausalLm model, int[] prompt, int count, int batch, SamplingConfig cfg,
                                         Consumer<Generation> sink) {
        generateInBatches(model, prompt, count, batch, cfg, new int[0], sink);
    }

    /**
     * {@link #generateInBatches(CausalLm, int[], int, int, SamplingConfig, Consumer)} where rows also stop as in
     * {@link #generate(CausalLm, List, SamplingConfig, int[], boolean)}.
     */
    public static void generateInBatches(CausalLm model, int[] prompt, int count, int batch, SamplingConfig cfg,
                                         int[] eosIds, Consumer<Generation> sink) {
        generateInBatches(decoding(model), stopIds(cfg, eosIds), prompt, count, batch, cfg, sink);
    }

    private static void generateInBatches(Decoding decoding, int[] stop, int[] prompt, int count, int batch,
                                          SamplingConfig cfg, Consumer<Generation> sink) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        SplittableRandom seeds = new SplittableRandom(cfg.seed());
        for (int done = 0; done < count; done += batch) {
            sink.accept(generate(decoding, Collections.nCopies(Math.min(batch, count - done), prompt), cfg, stop, true, seeds));
        }
    }

    /**
     * Samples as {@link #generate(CausalLm, List, SamplingConfig, boolean)} does, but a row stops at any of
     * {@code eosIds} (the model's end-of-sequence ids, {@link EndOfSequence#ids}) as well as at {@code cfg.eosId()}
     * when that is set.
     */
    public static Generation generate(CausalLm model, List<int[]> prompts, SamplingConfig cfg, int[] eosIds,
                                      boolean useCache) {
        return generate(decoding(model), prompts, cfg, stopIds(cfg, eosIds), useCache, new SplittableRandom(cfg.seed()));
    }

    /**
     * Rows per batch for {@link #generateInBatches} whose KV cache and per-step logits take about {@code bytes}
     * (at least 1 row, at most {@value #MAX_BATCH_ROWS}).
     */
    public static int batchRows(GptConfig cfg, int promptLength, int maxNewTokens, long bytes) {
        return batchRows(cfg.nLayer(), cfg.nEmbd(), cfg.vocabSize(), promptLength + maxNewTokens, bytes);
    }

    /** {@link #batchRows(GptConfig, int, int, long)} for a Llama, whose cache holds only the key/value heads. */
    public static int batchRows(LlamaConfig cfg, int promptLength, int maxNewTokens, long bytes) {
        return batchRows(cfg.numHiddenLayers(), cfg.numKeyValueHeads() * cfg.headDim(), cfg.vocabSize(),
                promptLength + maxNewTokens, bytes);
    }

    private static int batchRows(int layers, int width, int vocab, int positions, long bytes) {
        double cache = 2.0 * layers * width * positions * Float.BYTES;
        double logits = vocab * (double) (Float.BYTES + 2 * Double.BYTES); // logits, and draw's z and weights
        return (int) Math.max(1, Math.min(MAX_BATCH_ROWS, bytes / (cache + logits)));
    }

    /**
     * A model as generation drives it: the last column's logits {@code [B, V]} of new ids and mask {@code [B, T]},
     * appended to a cache (or, without one, the whole sequence from its first column).
     */
    private record Decoding(CausalLm model, LastLogits last) {
    }

    @FunctionalInterface
    private interface LastLogits {
        NDArray of(NDArray ids, NDArray mask, KvCache cache);
    }

    private static Decoding decoding(CausalLm model) {
        return new Decoding(model, (ids, mask, cache) -> lastColumn(model, model.hidden(ids, mask, null, cache, false)));
    }

    /** GPT-2 whose prompt enters through {@code promptEmbedding} when given (the first columns only). */
    private static Decoding decoding(Gpt model, PromptEmbedding promptEmbedding) {
        if (promptEmbedding == null) return decoding(model);
        return new Decoding(model, (ids, mask, cache) -> {
            boolean prompt = cache == null || cache.length() == 0;
            NDArray hidden = prompt
                    ? model.hiddenFromEmbeddings(promptEmbedding.embed(model, ids, mask), mask, null, cache, false)
                    : model.hidden(ids, mask, null, cache, false);
            return lastColumn(model, hidden);
        });
    }

    private static NDArray lastColumn(CausalLm model, NDArray hidden) {
        return model.logits(hidden.get(new NDIndex(":, -1, :")));
    }

    /** {@code cfg.eosId()} (when set) and {@code more}, without repeats. */
    private static int[] stopIds(SamplingConfig cfg, int[] more) {
        IntStream ids = cfg.eosId() >= 0 ? IntStream.concat(IntStream.of(cfg.eosId()), IntStream.of(more)) : IntStream.of(more);
        return ids.distinct().toArray();
    }

    private static Generation generate(Gpt model, List<int[]> prompts, SamplingConfig cfg, boolean useCache,
                                       PromptEmbedding promptEmbedding) {
        return generate(decoding(model, promptEmbedding), prompts, cfg, stopIds(cfg, new int[0]), useCache,
                new SplittableRandom(cfg.seed()));
    }

    /** {@code seeds} gives each row its stream, in row order; a row stops at any token of {@code stop}. */
    private static Generation generate(Decoding decoding, List<int[]> prompts, SamplingConfig cfg, int[] stop,
                                       boolean useCache, SplittableRandom seeds) {
        int rows = prompts.size();
        int vocab = decoding.model().vocabSize();
        int promptLen = checkPrompts(prompts, cfg, stop, decoding);
        int maxNew = cfg.maxNewTokens();
        int total = promptLen + maxNew;

        // The whole batch on the host, prompts right-aligned in [0, promptLen), responses after them. Rows that have
        // stopped keep being fed (token 0) so the batch stays rectangular; their outputs are ignored.
        long[] ids = new long[rows * total];
        float[] mask = new float[rows * total];
        for (int r = 0; r < rows; r++) {
            int[] p = prompts.get(r);
            int start = r * total + promptLen - p.length;
            for (int i = 0; i < p.length; i++) ids[start + i] = p[i];
            Arrays.fill(mask, start, (r + 1) * total, 1f);
        }

        SplittableRandom[] rng = new SplittableRandom[rows];
        for (int r = 0; r < rows; r++) rng[r] = seeds.split();
        int[][] tokens = new int[rows][maxNew];
        float[][] logprobs = new float[rows][maxNew];
        int[] length = new int[rows];
        boolean[] endedWithEos = new boolean[rows];

        // draw's work arrays, reused for every token of every row: a PPO rollout draws thousands of tokens, and an
        // array of the vocabulary's size per draw was most of a step's JVM garbage
        double[] z = new double[vocab], weight = new double[vocab];
        try (NoGrad ignored = NoGrad.enter(); KvCache cache = useCache ? decoding.model().newCache(rows, total) : null) {
            float[] logits = lastLogits(decoding, ids, mask, rows, total, 0, promptLen, cache);
            for (int step = 0; ; step++) {
                boolean running = false;
                for (int r = 0; r < rows; r++) {
                    if (endedWithEos[r] || length[r] == maxNew) continue;
                    Draw d = draw(logits, r * vocab, vocab, cfg, rng[r], z, weight);
                    tokens[r][length[r]] = d.token;
                    logprobs[r][length[r]] = (float) d.logprob;
                    length[r]++;
                    ids[r * total + promptLen + step] = d.token;
                    endedWithEos[r] = contains(stop, d.token);
                    running |= !endedWithEos[r] && length[r] < maxNew;
                }
                if (!running) break;
                int end = promptLen + step + 1;
                logits = useCache
                        ? lastLogits(decoding, ids, mask, rows, total, end - 1, end, cache)
                        : lastLogits(decoding, ids, mask, rows, total, 0, end, null);
            }
        }

        int[][] outTokens = new int[rows][];
        float[][] outLogprobs = new float[rows][];
        for (int r = 0; r < rows; r++) {
            outTokens[r] = Arrays.copyOf(tokens[r], length[r]);
            outLogprobs[r] = Arrays.copyOf(logprobs[r], length[r]);
        }
        return new Generation(outTokens, outLogprobs, endedWithEos);
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) if (x == id) return true;
        return false;
    }

    /** Returns the longest prompt's length after checking every prompt against the model. */
    private static int checkPrompts(List<int[]> prompts, SamplingConfig cfg, int[] stop, Decoding decoding) {
        if (prompts.isEmpty()) throw new UserError("generate: no prompts given");
        for (int id : stop) {
            if (id >= decoding.model().vocabSize()) {
                throw new UserError("sampling config: eos_id = " + id + " is not a token of this model (vocab_size "
                        + decoding.model().vocabSize() + ")");
            }
        }
        int room = decoding.model().contextLength() - cfg.maxNewTokens();
        if (room <= 0) {
            throw new UserError("sampling config: max_new_tokens = " + cfg.maxNewTokens() + " leaves no room for a prompt in "
                    + decoding.model().contextLengthKey() + " " + decoding.model().contextLength() + "; lower max_new_tokens");
        }
        int longest = 0;
        for (int r = 0; r < prompts.size(); r++) {
            int[] p = prompts.get(r);
            if (p.length == 0) throw new UserError("generate: prompt " + r + " is empty; give at least one token");
            if (p.length > room) {
                throw new UserError("generate: prompt " + r + " has " + p.length + " tokens but " + decoding.model().contextLengthKey()
                        + " " + decoding.model().contextLength() + " - max_new_tokens " + cfg.maxNewTokens() + " leaves room for " + room
                        + "; truncate prompts to at most " + room + " tokens or lower max_new_tokens");
            }
            for (int id : p) {
                if (id < 0 || id >= decoding.model().vocabSize()) {
                    throw new UserError("generate: prompt " + r + " has token id " + id + " outside the vocabulary [0, "
                            + decoding.model().vocabSize() + ")");
                }
            }
            longest = Math.max(longest, p.length);
        }
        return longest;
    }

    /** Runs columns {@code [from, to)} of the host batch; returns the last column's logits, {@code [rows * V]}. */
    private static float[] lastLogits(Decoding decoding, long[] ids, float[] mask, int rows, int total, int from, int to,
                                      KvCache cache) {
        int cols = to - from;
        long[] idSlice = new long[rows * cols];
        float[] maskSlice = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(ids, r * total + from, idSlice, r * cols, cols);
            System.arraycopy(mask, r * total + from, maskSlice, r * cols, cols);
        }
        try (NDManager step = decoding.model().manager().newSubManager()) {
            Shape shape = new Shape(rows, cols);
            NDArray idArray = step.create(idSlice, shape), maskArray = step.create(maskSlice, shape);
            return decoding.last().of(idArray, maskArray, cache).toFloatArray();
        }
    }

    private record Draw(int token, double logprob) {
    }

    /**
     * Draws one token from {@code logits[offset, offset + vocab)}. The log-probability is that of the full softmax of
     * {@code logits / temperature}; top-k and top-p only decide which tokens may be drawn. {@code z} and
     * {@code weight} are work arrays of at least {@code vocab} entries, overwritten.
     */
    private static Draw draw(float[] logits, int offset, int vocab, SamplingConfig cfg, SplittableRandom rng,
                             double[] z, double[] weight) {
        double invT = cfg.temperature() > 0 ? 1 / cfg.temperature() : 1;
        double max = Double.NEGATIVE_INFINITY;
        int argmax = 0;
        for (int i = 0; i < vocab; i++) {
            z[i] = logits[offset + i] * invT;
            if (z[i] > max) {
                max = z[i];
                argmax = i;
            }
        }
        // weight: unnormalised probabilities exp(z - max)
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += weight[i] = StrictMath.exp(z[i] - max);
        double logZ = max + StrictMath.log(sum);
        if (cfg.temperature() == 0) return new Draw(argmax, z[argmax] - logZ);

        double floor = 0; // tokens below this weight may not be drawn
        if (cfg.topK() > 0 && cfg.topK() < vocab) floor = kthLargest(weight, cfg.topK());
        if (cfg.topP() < 1) floor = nucleusFloor(weight, floor, cfg.topP());
        double mass = 0;
        int last = argmax;
        for (int i = 0; i < vocab; i++) {
            if (weight[i] >= floor) {
                mass += weight[i];
                last = i;
            }
        }
        double u = rng.nextDouble() * mass;
        int token = last; // if rounding leaves u just above the summed mass
        for (int i = 0; i < vocab; i++) {
            if (weight[i] >= floor && (u -= weight[i]) < 0) {
                token = i;
                break;
            }
        }
        return new Draw(token, z[token] - logZ);
    }

    private static double kthLargest(double[] w, int k) {
        double[] sorted = w.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - k];
    }

    /** Smallest weight in the most likely set (among weights >= floor) whose share of their mass reaches {@code p}. */
    private static double nucleusFloor(double[] w, double floor, double p) {
        double[] kept = Arrays.stream(w).filter(x -> x >= floor).sorted().toArray();
        double total = 0;
        for (double x : kept) total += x;
        double cum = 0;
        for (int i = kept.length - 1; i >= 0; i--) {
            cum += kept[i];
            if (cum >= p * total) return kept[i];
        }
        return kept[0];
    }
}
