package plaudit.train.ppo;

import plaudit.model.NoGrad;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import plaudit.model.Checkpoint;
import plaudit.model.Generation;
import plaudit.model.Generator;
import plaudit.model.Gpt;
import plaudit.model.Params;
import plaudit.model.SamplingConfig;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.reward.RewardFunction;
import plaudit.run.Progress;
import plaudit.text.Tokenizer;
import plaudit.train.AdamW;
import plaudit.train.Permutation;
import plaudit.train.TrainStep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PPO against a reward with a per-token KL penalty to a frozen reference (SFT) model — the RL stage of Ziegler et
 * al. 2019 / Stiennon et al. 2020 / InstructGPT. {@link #step} is the whole algorithm, top to bottom, in the order
 * of CleanRL's ppo.py; each metric is computed next to the quantity it describes and named as in TRL.
 *
 * <p>Policy and value function are separate networks (the value function starts from the reward model when one is
 * given, as in Stiennon et al.); both are updated by one AdamW over their joint parameters with one global gradient
 * clip. Everything random is seeded per step from {@link PpoConfig#seed()}, so a run resumed from a checkpoint repeats
 * exactly the prompts, samples and minibatches an uninterrupted run would have used.
 */
public final class PpoTrainer {
    private final Gpt policy;
    private final Gpt ref;
    private final ScoreModel value;
    private final RewardFunction reward;
    private final RewardFunction gold;
    private final Tokenizer tok;
    private final List<String> prompts;
    private final PpoConfig cfg;
    private final KlController kl;
    private final AdamW opt;
    private final int maxPromptLen;
    private int step;

    /**
     * @param policy  trained in place (initialised from SFT)
     * @param ref     the frozen SFT model the KL is measured against
     * @param value   value network (trained in place)
     * @param reward  the score of a finished response (reward model, a function, or a composition)
     * @param gold    ground-truth scorer for {@code objective/gold}, or null
     * @param prompts the prompts rollouts draw from
     */
    public PpoTrainer(Gpt policy, Gpt ref, ScoreModel value, RewardFunction reward, RewardFunction gold,
                      Tokenizer tok, List<String> prompts, PpoConfig cfg) {
        if (prompts.isEmpty()) throw new plaudit.UserError("ppo: no prompts to roll out from");
        this.policy = policy;
        this.ref = ref;
        this.value = value;
        this.reward = reward;
        this.gold = gold;
        this.tok = tok;
        this.prompts = prompts;
        this.cfg = cfg;
        this.kl = cfg.klController();
        this.maxPromptLen = policy.config().blockSize() - cfg.responseLength();
        if (maxPromptLen < 1) {
            throw new plaudit.UserError("ppo: response_length " + cfg.responseLength() + " leaves no room for a prompt "
                    + "in block_size " + policy.config().blockSize() + "; lower --response-length");
        }
        ref.setTrainable(false);
        policy.setTrainable(true);
        value.setTrainable(true);
        Map<String, NDArray> params = new LinkedHashMap<>();
        policy.parameters().forEach((k, v) -> params.put("policy." + k, v));
        value.parameters().forEach((k, v) -> params.put("value." + k, v));
        this.opt = AdamW.of(params, 0.0);
    }

    public int step() {
        return step;
    }

    public KlController kl() {
        return kl;
    }

    public AdamW optimizer() {
        return opt;
    }

    /**
     * Writes the run's state atomically: the policy as a Hugging Face GPT-2 folder, plus the value network, the
     * optimizer moments and the counters (step, KL coefficient). RNG state needs no saving: every step seeds its own
     * streams from (seed, step).
     */
    public void save(Path dir) {
        Checkpoint.writer().config(policy.config()).parameters(policy.parameters()).tokenizer(tok)
                .tensors("value", value.parameters())
                .tensors("optimizer", opt.state())
                .json("trainer_state", Map.of("step", step, "optimizer_step", opt.step(), "kl_coef", kl.value(),
                        "seed", cfg.seed()))
                .write(dir);
    }

    /** Continues a run from a checkpoint written by {@link #save}: same metrics as if it had never stopped. */
    public void resume(Path dir) {
        Checkpoint c = Checkpoint.read(dir);
        JsonNode state = c.json("trainer_state");
        if (state.get("seed").asLong() != cfg.seed()) {
            throw new plaudit.UserError(dir + " was written by a run with seed " + state.get("seed").asLong()
                    + ", this run has seed " + cfg.seed() + "; resume with the same --seed");
        }
        try (NDManager staging = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            Params.assign(policy.parameters(), c.parameters(staging), "policy");
            Params.assign(value.parameters(), c.tensors("value", staging), "value network");
            opt.load(c.tensors("optimizer", staging), state.get("optimizer_step").asLong());
        }
        step = state.get("step").asInt();
        kl.set(state.get("kl_coef").asDouble());
    }

    /** The rollout of one step, kept on the host: it is small (batch × response length). */
    record Rollout(List<String> promptText, int[][] promptIds, int[][] response, int[] length, boolean[] eos,
                   String[] responseText, double[] scores, double[] goldScores, float[][] logp, float[][] refLogp,
                   float[][] values) {
    }

    /** Samples shown in the samples table. */
    public record Sample(int step, String prompt, String response, double score, double gold) {
    }

    /** One PPO iteration; returns its metrics row (TRL names). */
    public Map<String, Number> step(List<Sample> samplesOut) {
        SplittableRandom rng = new SplittableRandom(cfg.seed() * 1_000_003L + step);
        double beta = kl.value();
        int n = cfg.batchSize();

        long t0 = System.nanoTime();
        // 1. rollout: sample responses from the policy with the KV cache, keeping per-token log-probs
        List<String> batchPrompts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) batchPrompts.add(prompts.get(rng.nextInt(prompts.size())));
        int[][] promptIds = new int[n][];
        for (int i = 0; i < n; i++) promptIds[i] = tail(tok.encode(batchPrompts.get(i)), maxPromptLen);
        Generation gen = Generator.generate(policy, Arrays.asList(promptIds),
                new SamplingConfig(cfg.responseLength(), cfg.temperature(), 0, 1.0, tok.eosId(), rng.nextLong()));
        int[] length = new int[n];
        String[] text = new String[n];
        for (int i = 0; i < n; i++) {
            length[i] = gen.tokens()[i].length;
            int[] visible = gen.endedWithEos()[i] ? Arrays.copyOf(gen.tokens()[i], length[i] - 1) : gen.tokens()[i];
            text[i] = tok.decode(visible);
        }

        long t1 = System.nanoTime();                                         // time/rollout
        // 2. score: the reward (model and/or functions) on the finished text; gold alongside when known
        double[] scores = reward.scoreAll(batchPrompts, Arrays.asList(text));
        double[] goldScores = gold == null ? null : gold.scoreAll(batchPrompts, Arrays.asList(text));
        for (int i = 0; i < n; i++) {
            TrainStep.requireFinite(scores[i], "reward score", step);
            if (cfg.missingEosPenalty() > 0 && !gen.endedWithEos()[i]) scores[i] -= cfg.missingEosPenalty();
            if (cfg.rewardClip() > 0) scores[i] = Math.max(-cfg.rewardClip(), Math.min(cfg.rewardClip(), scores[i]));
        }

        long t2 = System.nanoTime();                                         // time/score
        // 3. reference log-probs and values of the sampled tokens (no gradient)
        float[][] refLogp;
        float[][] values;
        try (NoGrad ignored = NoGrad.enter(); NDManager scope = policy.manager().newSubManager(policy.device())) {
            Batch all = Batch.of(scope, promptIds, gen.tokens(), java.util.stream.IntStream.range(0, n).toArray());
            refLogp = rows(responseLogProbs(ref, all, cfg.temperature()));
            values = rows(responseValues(value, all));
        }
        long t3 = System.nanoTime();                                         // time/ref_value
        Rollout ro = new Rollout(batchPrompts, promptIds, gen.tokens(), length, gen.endedWithEos(), text, scores,
                goldScores, gen.logprobs(), refLogp, values);

        // 4. per-token reward: −β·(log π − log π_ref) at every token, plus the score at the last token
        float[][] rewards = new float[n][];
        double klSum = 0, nonScore = 0, entropySum = 0;
        int eosCount = 0;
        for (int i = 0; i < n; i++) {
            rewards[i] = new float[cfg.responseLength()];
            double rowKl = 0;
            for (int t = 0; t < length[i]; t++) {
                double klT = KlEstimator.K1.of(ro.logp()[i][t], ro.refLogp()[i][t]);
                rewards[i][t] = (float) (-beta * klT);
                rowKl += klT;
                entropySum -= ro.logp()[i][t];
            }
            if (length[i] > 0) rewards[i][length[i] - 1] += (float) scores[i];
            klSum += rowKl;
            nonScore += -beta * rowKl;
            eosCount += ro.eos()[i] ? 1 : 0;
        }
        double meanKl = klSum / n;                                          // objective/kl
        TrainStep.requireFinite(meanKl, "KL to the reference (log-probs of the rollout)", step);
        double meanScore = Arrays.stream(scores).average().orElse(0);        // objective/scores
        double meanNonScore = nonScore / n;                                  // objective/non_score_reward
        if (cfg.whitenRewards()) rewards = Whiten.apply(rewards, length, false);

        // 5. advantages: GAE (γ, λ) over the response, then whitened per batch
        Gae.Result gae = Gae.compute(rewards, padRows(ro.values(), cfg.responseLength()), length, cfg.gamma(), cfg.lam());
        float[][] advantages = Whiten.apply(gae.advantages(), length, true);
        float[][] returns = gae.returns();

        // 6. PPO epochs × shuffled minibatches: clipped surrogate + clipped value loss (− entropy bonus)
        double pgLossSum = 0, vfLossSum = 0, approxKlSum = 0, clipFracSum = 0, vfClipFracSum = 0, ratioSum = 0,
                entAvgSum = 0;
        int updates = 0;
        for (int epoch = 0; epoch < cfg.ppoEpochs(); epoch++) {
            int[] order = Permutation.of(n, rng);
            for (int from = 0; from < n; from += cfg.miniBatchSize()) {
                int[] mb = Arrays.copyOfRange(order, from, from + cfg.miniBatchSize());
                double[] stats = new double[7];
                try (NDManager scope = policy.manager().newSubManager(policy.device())) {
                    Batch b = Batch.of(scope, promptIds, gen.tokens(), mb);
                    NDArray mask = b.responseMask();
                    NDArray oldLogp = b.pick(scope, ro.logp());
                    NDArray oldValues = b.pick(scope, ro.values());
                    NDArray adv = b.pick(scope, advantages);
                    NDArray ret = b.pick(scope, returns);
                    TrainStep.run(scope, opt, cfg.lr(), cfg.gradClip(), 1, step, micro -> {
                        NDArray logits = responseLogits(policy, b, cfg.temperature());
                        NDArray logp = Gpt.tokenLogProbs(logits, b.responseIds());
                        PpoLoss.Terms pg = PpoLoss.policy(logp, oldLogp, adv, mask, cfg.clipRange());
                        PpoLoss.Terms vf = PpoLoss.value(responseValues(value, b), oldValues, ret, mask, cfg.clipRangeValue());
                        NDArray logSoftmax = logits.logSoftmax(-1);
                        NDArray entropy = PpoLoss.maskedMean(logSoftmax.exp().mul(logSoftmax).sum(new int[] {-1}).neg(), mask);
                        stats[0] = pg.loss().getFloat();
                        stats[1] = vf.loss().getFloat();
                        stats[2] = pg.approxKl();
                        stats[3] = pg.clipFrac();
                        stats[4] = vf.clipFrac();
                        stats[5] = pg.ratio();
                        stats[6] = entropy.getFloat();
                        NDArray loss = pg.loss().add(vf.loss().mul((float) cfg.vfCoef()));
                        return cfg.entCoef() > 0 ? loss.sub(entropy.mul((float) cfg.entCoef())) : loss;
                    });
                }
                pgLossSum += stats[0];
                vfLossSum += stats[1];
                approxKlSum += stats[2];
                clipFracSum += stats[3];
                vfClipFracSum += stats[4];
                ratioSum += stats[5];
                entAvgSum += stats[6];
                updates++;
            }
        }

        long t4 = System.nanoTime();                                         // time/update
        // 7. KL controller: adapt β towards the target KL (no-op when fixed)
        kl.update(meanKl, n);
        step++;

        if (samplesOut != null && (cfg.sampleEvery() > 0 && (step % cfg.sampleEvery() == 0 || step == 1))) {
            for (int i = 0; i < Math.min(4, n); i++) {
                samplesOut.add(new Sample(step, batchPrompts.get(i), text[i], scores[i],
                        goldScores == null ? Double.NaN : goldScores[i]));
            }
        }
        Map<String, Number> row = new LinkedHashMap<>();
        row.put("step", step);
        row.put("episode", (long) step * n);
        row.put("objective/kl", meanKl);
        row.put("objective/entropy", entropySum / n);
        row.put("objective/non_score_reward", meanNonScore);
        row.put("objective/rlhf_reward", meanScore + meanNonScore);
        row.put("objective/scores", meanScore);
        row.put("objective/gold", goldScores == null ? Double.NaN : Arrays.stream(goldScores).average().orElse(0));
        row.put("policy/approxkl_avg", approxKlSum / updates);
        row.put("policy/clipfrac_avg", clipFracSum / updates);
        row.put("policy/entropy_avg", entAvgSum / updates);
        row.put("loss/policy_avg", pgLossSum / updates);
        row.put("loss/value_avg", vfLossSum / updates);
        row.put("val/clipfrac_avg", vfClipFracSum / updates);
        row.put("val/ratio", ratioSum / updates);
        row.put("val/num_eos_tokens", eosCount);
        row.put("response_length", Arrays.stream(length).average().orElse(0));
        row.put("kl_coef", beta);
        row.put("lr", cfg.lr());
        row.put("time/rollout", (t1 - t0) / 1e9);
        row.put("time/score", (t2 - t1) / 1e9);
        row.put("time/ref_value", (t3 - t2) / 1e9);
        row.put("time/update", (t4 - t3) / 1e9);
        return row;
    }

    /** Runs {@code cfg.steps()} iterations (from the current step), logging every row. */
    public void train(MetricsLog log, List<Sample> samples, java.util.function.IntConsumer afterStep) {
        try (Progress bar = new Progress("ppo", cfg.steps())) {
            bar.advance(step);
            while (step < cfg.steps()) {
                Map<String, Number> row = step(samples);
                log.log(row);
                bar.set("score", row.get("objective/scores").doubleValue())
                   .set("kl", row.get("objective/kl").doubleValue())
                   .set("gold", row.get("objective/gold").doubleValue());
                bar.step();
                if (afterStep != null) afterStep.accept(step);
            }
        }
    }

    // ---- tensors of a (sub)batch of the rollout ----

    /**
     * Rows of the rollout as one left-padded tensor: prompt (left padding) then response (right padding), with
     * the attention mask; response token t of a row sits at column {@code P + t} and is predicted at {@code P + t − 1}.
     */
    record Batch(NDArray ids, NDArray mask, NDArray responseIds, NDArray responseMask, int promptWidth,
                 int responseWidth, int[] rows) {
        static Batch of(NDManager scope, int[][] prompts, int[][] responses, int[] rows) {
            int p = 0, l = 1;
            for (int r : rows) {
                p = Math.max(p, prompts[r].length);
                l = Math.max(l, responses[r].length);
            }
            int w = p + l;
            long[] ids = new long[rows.length * w];
            float[] mask = new float[rows.length * w];
            long[] resp = new long[rows.length * l];
            float[] respMask = new float[rows.length * l];
            for (int i = 0; i < rows.length; i++) {
                int[] pr = prompts[rows[i]], rs = responses[rows[i]];
                for (int j = 0; j < pr.length; j++) {
                    ids[i * w + p - pr.length + j] = pr[j];
                    mask[i * w + p - pr.length + j] = 1f;
                }
                for (int t = 0; t < rs.length; t++) {
                    ids[i * w + p + t] = rs[t];
                    mask[i * w + p + t] = 1f;
                    resp[i * l + t] = rs[t];
                    respMask[i * l + t] = 1f;
                }
            }
            return new Batch(scope.create(ids, new Shape(rows.length, w)), scope.create(mask, new Shape(rows.length, w)),
                    scope.create(resp, new Shape(rows.length, l)), scope.create(respMask, new Shape(rows.length, l)),
                    p, l, rows);
        }

        /** The response columns of a host array for this batch's rows, {@code [rows, L]}. */
        NDArray pick(NDManager scope, float[][] perRow) {
            float[] out = new float[rows.length * responseWidth];
            for (int i = 0; i < rows.length; i++) {
                float[] src = perRow[rows[i]];
                System.arraycopy(src, 0, out, i * responseWidth, Math.min(src.length, responseWidth));
            }
            return scope.create(out, new Shape(rows.length, responseWidth));
        }

        NDIndex predictingColumns() {
            return new NDIndex(":, {}:{}", promptWidth - 1, promptWidth - 1 + responseWidth);
        }
    }

    /**
     * Temperature-scaled logits at the positions that predict the response tokens, {@code [B, L, V]}. Dropout stays
     * off in every PPO forward pass: the ratio π/π_old must compare the same function.
     */
    static NDArray responseLogits(Gpt model, Batch b, double temperature) {
        NDArray hidden = model.hidden(b.ids(), b.mask(), null, null, false).get(b.predictingColumns());
        NDArray logits = model.logits(hidden);
        return temperature == 1.0 ? logits : logits.div((float) temperature);
    }

    static NDArray responseLogProbs(Gpt model, Batch b, double temperature) {
        return Gpt.tokenLogProbs(responseLogits(model, b, temperature), b.responseIds());
    }

    /** Value of the state before each response token, {@code [B, L]}. */
    static NDArray responseValues(ScoreModel value, Batch b) {
        return value.scores(b.ids(), b.mask(), false).get(b.predictingColumns());
    }

    /** A [B, L] array as host rows. */
    private static float[][] rows(NDArray a) {
        int n = Math.toIntExact(a.getShape().get(0)), l = Math.toIntExact(a.getShape().get(1));
        float[] flat = a.toFloatArray();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) out[i] = Arrays.copyOfRange(flat, i * l, (i + 1) * l);
        return out;
    }

    private static float[][] padRows(float[][] x, int width) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = Arrays.copyOf(x[i], width);
        return out;
    }

    private static int[] tail(int[] ids, int max) {
        return ids.length <= max ? ids : Arrays.copyOfRange(ids, ids.length - max, ids.length);
    }
}
