package plaudit.train.steer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import plaudit.UserError;
import plaudit.model.CausalLm;
import plaudit.model.Generation;
import plaudit.model.Generator;
import plaudit.model.Gpt;
import plaudit.model.NoGrad;
import plaudit.model.SamplingConfig;
import plaudit.data.RewardFunction;
import plaudit.text.Tokenizer;
import plaudit.train.Sequences;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Samples drawn under a steering prefix (or none) at temperature 1, measured against the unsteered model: the
 * unsteered model's perplexity of them, their KL from it and their gold reward.
 *
 * @param perplexity {@code exp(−Σ log π_SFT(token) / Σ tokens)} over all response tokens
 * @param kl         mean over samples of {@code log π_steered(response) − log π_SFT(response)} (sequence sums;
 *                   the Monte Carlo estimate of KL(π_steered ‖ π_SFT) over responses)
 * @param gold       mean gold reward, NaN without a gold scorer
 * @param responses  the sampled texts, prompt-major
 */
public record SteeredSamples(double perplexity, double kl, double gold, List<String> responses) {
    private static final int ROWS_PER_PASS = 64;

    /** A prefix that steers sampling; {@link #NONE} samples the model as it is. */
    public sealed interface Prefix {
        /** Soft vectors {@code [k, C]}: prompts get k placeholder ids, replaced by the vectors. */
        record Soft(NDArray vectors) implements Prefix {
        }

        /** Token ids put before each prompt. */
        record Tokens(int[] ids) implements Prefix {
        }

        record None() implements Prefix {
        }
    }

    public static final Prefix NONE = new Prefix.None();

    /**
     * {@code perPrompt} samples for each prompt (token ids; they must leave room for {@code maxNewTokens} and the
     * prefix, see {@link SteerBatch#fit}), measured as above. {@code texts} are the prompts as text, for gold.
     */
    public static SteeredSamples sample(Gpt model, Tokenizer tok, List<int[]> prompts, List<String> texts,
                                        Prefix prefix, SoftPrefix.Position position, int perPrompt,
                                        int maxNewTokens, long seed, RewardFunction gold) {
        int k = prefix instanceof Prefix.Soft s ? Math.toIntExact(s.vectors().getShape().get(0))
                : prefix instanceof Prefix.Tokens t ? t.ids().length : 0;
        int room = model.config().blockSize() - maxNewTokens - k;
        if (room < 1) {
            throw new UserError("steer: a prefix of " + k + " tokens and " + maxNewTokens
                    + " new tokens leave no room for a prompt in block_size " + model.config().blockSize());
        }
        List<int[]> bare = new ArrayList<>(), steered = new ArrayList<>();
        List<String> promptTexts = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = SteerBatch.fit(prompts.get(i), room);
            int[] withPrefix = new int[k + p.length]; // placeholders (0) for a soft prefix
            boolean before = position == SoftPrefix.Position.BEFORE;
            if (prefix instanceof Prefix.Tokens t) System.arraycopy(t.ids(), 0, withPrefix, before ? 0 : p.length, k);
            System.arraycopy(p, 0, withPrefix, before ? k : 0, p.length);
            for (int s = 0; s < perPrompt; s++) {
                bare.add(p);
                steered.add(withPrefix);
                promptTexts.add(texts.get(i));
            }
        }
        SamplingConfig sc = new SamplingConfig(maxNewTokens, 1.0, 0, 1.0, tok.eosId(), seed);
        List<int[]> responses = new ArrayList<>();
        List<Double> steeredLogp = new ArrayList<>();
        for (int from = 0; from < steered.size(); from += ROWS_PER_PASS) {
            List<int[]> chunk = steered.subList(from, Math.min(steered.size(), from + ROWS_PER_PASS));
            SamplingConfig chunkCfg = sc.withSeed(seed + from);
            Generation g = prefix instanceof Prefix.Soft s
                    ? Generator.generate(model, chunk, chunkCfg, SoftPrefix.asPromptEmbedding(s.vectors(), position))
                    : Generator.generate(model, chunk, chunkCfg);
            for (int i = 0; i < g.tokens().length; i++) {
                responses.add(g.tokens()[i]);
                double sum = 0;
                for (float lp : g.logprobs()[i]) sum += lp;
                steeredLogp.add(sum);
            }
        }
        double[] sftLogp = sequenceLogProbs(model, bare, responses, tok.eosId());
        double kl = 0, nll = 0;
        long tokens = 0;
        List<String> sampled = new ArrayList<>();
        for (int i = 0; i < responses.size(); i++) {
            kl += steeredLogp.get(i) - sftLogp[i];
            nll -= sftLogp[i];
            tokens += responses.get(i).length;
            int[] r = responses.get(i);
            boolean eos = r.length > 0 && r[r.length - 1] == tok.eosId();
            sampled.add(tok.decode(eos ? Arrays.copyOf(r, r.length - 1) : r));
        }
        double meanGold = Double.NaN;
        if (gold != null) meanGold = Arrays.stream(gold.scoreAll(promptTexts, sampled)).average().orElse(Double.NaN);
        return new SteeredSamples(Math.exp(nll / Math.max(1, tokens)), kl / responses.size(), meanGold, sampled);
    }

    /** {@code log π(response | prompt)} per row: the sum over the response tokens. */
    static double[] sequenceLogProbs(Gpt model, List<int[]> prompts, List<int[]> responses, int pad) {
        double[] out = new double[prompts.size()];
        int padId = Math.max(0, pad);
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < prompts.size(); from += ROWS_PER_PASS) {
                int to = Math.min(prompts.size(), from + ROWS_PER_PASS);
                List<Sequences.Seq> seqs = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    int[] p = prompts.get(i), r = responses.get(i);
                    int[] ids = Arrays.copyOf(p, p.length + r.length);
                    System.arraycopy(r, 0, ids, p.length, r.length);
                    seqs.add(new Sequences.Seq(ids, p.length));
                }
                try (NDManager scope = model.manager().newSubManager()) {
                    NDArray[] xym = Sequences.responseTargets(scope, seqs, padId);
                    NDArray logp = CausalLm.tokenLogProbs(model.forward(xym[0], null, null, null, false), xym[1])
                            .mul(xym[2]).sum(new int[] {1});
                    float[] v = logp.toFloatArray();
                    for (int i = from; i < to; i++) out[i] = v[i - from];
                }
            }
        }
        return out;
    }
}
