package plaudit.train.pg;

import ai.djl.ndarray.NDManager;
import plaudit.UserError;
import plaudit.data.RewardFunction;
import plaudit.model.CausalLm;
import plaudit.model.Generation;
import plaudit.model.Generator;
import plaudit.model.NoGrad;
import plaudit.model.SamplingConfig;
import plaudit.text.Turns;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The rollout shared by the policy-gradient trainers (PPO, RLOO): sample responses from the policy with the KV cache,
 * keeping each token's log-prob; score the finished text with the reward (and gold, when known), after the
 * missing-EOS penalty and reward clipping (a {@link SampledReward} scores the sampled ids themselves); then the frozen reference's log-probs of the same tokens. Everything a
 * trainer needs to form its rewards and advantages, kept on the host (it is small: batch × response length).
 */
public final class Rollout {
    /** Most characters of a prompt shown in an error. */
    private static final int SHOWN = 80;
    private final String who;
    private final CausalLm policy;
    private final CausalLm ref;
    private final RewardFunction reward;
    private final RewardFunction gold;
    private final Turns turns;
    private final List<String> prompts;
    private final int responseLength;
    private final double temperature;
    private final double missingEosPenalty;
    private final double rewardClip;
    private final int maxPromptLen;

    /**
     * @param who               the trainer's name, for error messages
     * @param gold              ground-truth scorer, or null
     * @param prompts           the prompts to draw from
     * @param temperature       sampling temperature (log-probs use the same)
     * @param missingEosPenalty subtracted from the score of a response that did not end with EOS; 0 = off
     * @param rewardClip        clip scores to ±this; ≤ 0 = off
     * @param turns             how prompts become ids and sampled replies are read back
     */
    public Rollout(String who, CausalLm policy, CausalLm ref, RewardFunction reward, RewardFunction gold, Turns turns,
                   List<String> prompts, int responseLength, double temperature, double missingEosPenalty,
                   double rewardClip) {
        if (prompts.isEmpty()) throw new UserError(who + ": no prompts to roll out from");
        this.who = who;
        this.policy = policy;
        this.ref = ref;
        this.reward = reward;
        this.gold = gold;
        this.turns = turns;
        this.prompts = prompts;
        this.responseLength = responseLength;
        this.temperature = temperature;
        this.missingEosPenalty = missingEosPenalty;
        this.rewardClip = rewardClip;
        this.maxPromptLen = policy.contextLength() - responseLength;
        if (maxPromptLen < 1) {
            throw new UserError(who + ": response_length " + responseLength + " leaves no room for a prompt "
                    + "in " + policy.contextLengthKey() + " " + policy.contextLength() + "; lower --response-length");
        }
    }

    /**
     * One batch of episodes.
     *
     * @param scores     the reward's score after the EOS penalty and clipping ({@code objective/scores})
     * @param goldScores gold of each response, or null
     * @param logp       per-token log-probs under the policy at sampling time, {@code [n][length]}
     * @param refLogp    per-token log-probs under the reference, {@code [n][width of the batch]}
     */
    public record Episodes(List<String> prompts, int[][] promptIds, int[][] response, int[] length, boolean[] eos,
                           String[] text, double[] scores, double[] goldScores, float[][] logp, float[][] refLogp,
                           double rolloutSeconds, double scoreSeconds, double refSeconds) {
        public int size() {
            return length.length;
        }

        /** KL(π ‖ π_ref) of each whole response: the sum of the per-token k1 estimates. */
        public double[] sequenceKl() {
            double[] kl = new double[size()];
            for (int i = 0; i < kl.length; i++) {
                for (int t = 0; t < length[i]; t++) kl[i] += KlEstimator.K1.of(logp[i][t], refLogp[i][t]);
            }
            return kl;
        }

        /** Mean of −log π over the sampled tokens, per response ({@code objective/entropy}). */
        public double entropy() {
            double sum = 0;
            for (int i = 0; i < size(); i++) for (int t = 0; t < length[i]; t++) sum -= logp[i][t];
            return sum / size();
        }

        public int eosCount() {
            int c = 0;
            for (boolean e : eos) c += e ? 1 : 0;
            return c;
        }

        /** Mean score ({@code objective/scores}). */
        public double meanScore() {
            return Arrays.stream(scores).average().orElse(0);
        }

        /** Mean gold score ({@code objective/gold}); NaN without gold. */
        public double goldMean() {
            return goldScores == null ? Double.NaN : Arrays.stream(goldScores).average().orElse(0);
        }

        /**
         * Adds the first four episodes to the samples table on the first step and every {@code every} steps
         * (0 = never); {@code out} may be null.
         *
         * @param step steps done, this one included
         */
        public void sampleInto(List<Sample> out, int step, int every) {
            if (out == null || every <= 0 || (step % every != 0 && step != 1)) return;
            for (int i = 0; i < Math.min(4, size()); i++) {
                double g = goldScores == null ? Double.NaN : goldScores[i];
                out.add(new Sample(step, prompts.get(i), text[i], scores[i], g));
            }
        }
    }

    /** {@code n} prompts drawn uniformly with replacement. */
    public List<String> draw(int n, SplittableRandom rng) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(prompts.get(rng.nextInt(prompts.size())));
        return out;
    }

    /** Samples one response per prompt (seeded), scores it and computes the reference log-probs. */
    public Episodes collect(List<String> batchPrompts, long samplingSeed, int step) {
        int n = batchPrompts.size();
        long t0 = System.nanoTime();
        int[][] promptIds = new int[n][];
        for (int i = 0; i < n; i++) promptIds[i] = turns.promptIds(batchPrompts.get(i), maxPromptLen);
        // stops at any of the turns' stop ids: a folder's end-of-sequence ids (Llama 3's and Qwen's are lists), or the
        // chat template's end of turn
        Generation gen = Generator.generate(policy, Arrays.asList(promptIds),
                new SamplingConfig(responseLength, temperature, 0, 1.0, turns.tokenizer().eosId(), samplingSeed),
                turns.stopIds(), true);
        int[] length = new int[n];
        String[] text = new String[n];
        for (int i = 0; i < n; i++) {
            length[i] = gen.tokens()[i].length;
            text[i] = turns.replyText(gen.tokens()[i], gen.endedWithEos()[i]);
        }

        long t1 = System.nanoTime();
        // the reward (model and/or functions) on the finished text; gold alongside when known
        double[] scores = score(batchPrompts, promptIds, gen.tokens(), Arrays.asList(text), step + 1);
        double[] goldScores = gold == null ? null : gold.scoreAll(batchPrompts, Arrays.asList(text));
        for (int i = 0; i < n; i++) {
            if (missingEosPenalty > 0 && !gen.endedWithEos()[i]) scores[i] -= missingEosPenalty;
            if (rewardClip > 0) scores[i] = Math.max(-rewardClip, Math.min(rewardClip, scores[i]));
        }

        long t2 = System.nanoTime();
        float[][] refLogp;
        try (NoGrad ignored = NoGrad.enter(); NDManager scope = policy.manager().newSubManager(policy.device())) {
            ResponseBatch all = ResponseBatch.of(scope, promptIds, gen.tokens(), IntStream.range(0, n).toArray());
            refLogp = ResponseBatch.rows(all.logProbs(ref, temperature));
        }
        long t3 = System.nanoTime();
        return new Episodes(batchPrompts, promptIds, gen.tokens(), length, gen.endedWithEos(), text, scores,
                goldScores, gen.logprobs(), refLogp, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    }

    /**
     * The reward's scores of step {@code step} (1-based, as metrics.csv numbers it). A reward that throws, or returns
     * anything but a finite number, stops the run with {@link RewardFailure} naming the step, the sample, its prompt
     * and the reward, before the step changes any state.
     */
    private double[] score(List<String> batchPrompts, int[][] promptIds, int[][] responses, List<String> texts, int step) {
        double[] scores;
        try {
            scores = reward instanceof SampledReward sampled ? sampled.scoreSampled(batchPrompts, promptIds, responses, texts)
                    : reward.scoreAll(batchPrompts, texts);
        } catch (UserError e) {
            throw new RewardFailure(who + " step " + step + ": " + e.getMessage(), e);
        } catch (RuntimeException e) { // a user's function (DSL) that throws: the same stop, with what it threw
            throw new RewardFailure(who + " step " + step + ": reward '" + reward.name() + "' failed: " + e, e);
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new RewardFailure(who + " step " + step + ": reward '" + reward.name() + "' returned " + scores[i]
                        + " for sample " + i + " (prompt \"" + shown(batchPrompts.get(i)) + "\", response \""
                        + shown(texts.get(i)) + "\"); a reward must be a finite number", null);
            }
        }
        return scores;
    }

    /** {@code text} on one line, cut to {@link #SHOWN} characters: enough to find the prompt, short enough for an error. */
    public static String shown(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() > SHOWN ? line.substring(0, SHOWN) + "…" : line;
    }
}
