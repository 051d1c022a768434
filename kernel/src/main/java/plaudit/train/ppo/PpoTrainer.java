package plaudit.train.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import plaudit.data.RewardFunction;
import plaudit.model.CausalLm;
import plaudit.model.NoGrad;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;
import plaudit.train.AdamW;
import plaudit.train.CheckpointSettings;
import plaudit.train.Sequences;
import plaudit.train.TrainStep;
import plaudit.train.TrainingCheckpoint;
import plaudit.train.WeightAverage;
import plaudit.train.pg.KlController;
import plaudit.train.pg.KlEstimator;
import plaudit.train.pg.Minibatches;
import plaudit.train.pg.PolicyGradientTrainer;
import plaudit.train.pg.PpoLoss;
import plaudit.train.pg.ResponseBatch;
import plaudit.train.pg.Rollout;
import plaudit.train.pg.Sample;
import plaudit.train.pg.StepLoop;
import plaudit.train.pg.StepMetrics;
import plaudit.train.pg.Whiten;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * PPO against a reward with a per-token KL penalty to a frozen reference (SFT) model — the RL stage of Ziegler et
 * al. 2019 / Stiennon et al. 2020 / InstructGPT. {@link #step} is the whole algorithm, top to bottom, in the order
 * of CleanRL's ppo.py; each metric is computed next to the quantity it describes and named as in TRL.
 *
 * <p>Policy and value function are separate networks by default (the value function starts from the reward model when
 * one is given, as in Stiennon et al.); with {@link PpoConfig#sharedTrunk()} the value function is a head on the
 * policy's own trunk, so one forward and backward pass serves both losses. Either way one AdamW updates all trained
 * parameters with one global gradient clip. Everything random is seeded per step from {@link PpoConfig#seed()}, so a run resumed from a checkpoint repeats
 * exactly the prompts, samples and minibatches an uninterrupted run would have used.
 */
public final class PpoTrainer implements PolicyGradientTrainer {
    private final CausalLm policy;
    private final ScoreModel value;
    private final Turns turns;
    private final Rollout rollout;
    private final PpoConfig cfg;
    private final KlController kl;
    private final AdamW opt;
    private final WeightAverage average; // null when cfg.averageTail() is 0
    private int step;

    /**
     * @param policy  trained in place (initialised from SFT)
     * @param ref     the frozen SFT model the KL is measured against
     * @param value   value network (trained in place); null when {@code cfg.sharedTrunk()}: the trainer then puts a
     *                value head on the policy
     * @param reward  the score of a finished response (reward model, a function, or a composition)
     * @param gold    ground-truth scorer for {@code objective/gold}, or null
     * @param prompts the prompts rollouts draw from
     */
    public PpoTrainer(CausalLm policy, CausalLm ref, ScoreModel value, RewardFunction reward, RewardFunction gold,
                      Tokenizer tok, List<String> prompts, PpoConfig cfg) {
        this(policy, ref, value, reward, gold, Sequences.plain(tok), prompts, cfg);
    }

    /** As the constructor with a tokenizer, prompts and replies made ids by {@code turns}. */
    public PpoTrainer(CausalLm policy, CausalLm ref, ScoreModel value, RewardFunction reward, RewardFunction gold,
                      Turns turns, List<String> prompts, PpoConfig cfg) {
        if (cfg.sharedTrunk() != (value == null)) {
            throw new IllegalArgumentException(cfg.sharedTrunk()
                    ? "shared trunk: the value head goes on the policy; pass no value network"
                    : "a separate value network is needed (or set shared_trunk)");
        }
        this.policy = policy;
        this.value = cfg.sharedTrunk() ? ScoreModel.zeroHeadOn(policy) : value;
        this.turns = turns;
        this.rollout = new Rollout("ppo", policy, ref, reward, gold, turns, prompts, cfg.responseLength(),
                cfg.temperature(), cfg.missingEosPenalty(), cfg.rewardClip());
        this.cfg = cfg;
        this.kl = cfg.klController();
        ref.setTrainable(false);
        policy.setTrainable(true);
        this.value.setTrainable(true);
        Map<String, NDArray> params = new LinkedHashMap<>();
        policy.parameters().forEach((k, v) -> params.put("policy." + k, v));
        valueParameters().forEach((k, v) -> params.put("value." + k, v));
        this.opt = AdamW.of(params, 0.0);
        this.average = cfg.averageTail() > 0 ? new WeightAverage(policy.parameters()) : null;
    }

    @Override
    public int step() {
        return step;
    }

    /** What the value function adds to the policy: a whole network, or only a head on the shared trunk. */
    private Map<String, NDArray> valueParameters() {
        return cfg.sharedTrunk() ? value.headParameters() : value.parameters();
    }

    public KlController kl() {
        return kl;
    }

    public AdamW optimizer() {
        return opt;
    }

    /** The state a checkpoint keeps besides the policy and optimizer: the value function, and the weight average. */
    private Map<String, Map<String, NDArray>> trainedBesidesPolicy() {
        return average == null ? Map.of("value", valueParameters())
                : Map.of("value", valueParameters(), "average", average.tensors());
    }

    /**
     * Writes the run's state atomically ({@link TrainingCheckpoint}): policy, value function, optimizer, weight average,
     * step, β.
     */
    @Override
    public void save(Path dir) {
        TrainingCheckpoint.save(dir, policy, turns.tokenizer(), opt, trainedBesidesPolicy(), step, settings(),
                Map.of("kl_coef", kl.value()));
    }

    /** Continues a run from a checkpoint written by {@link #save}: same metrics as if it had never stopped. */
    @Override
    public void resume(Path dir) {
        JsonNode state = TrainingCheckpoint.resume(dir, settings(), policy, opt,
                trainedBesidesPolicy());
        double beta = TrainingCheckpoint.number(dir, state, "kl_coef");
        step = (int) TrainingCheckpoint.count(dir, state, "step");
        kl.set(beta);
        if (average != null) average.resumeAt(Math.max(0, step - cfg.averageFrom()));
    }

    /** What a checkpoint records and a resumed run must repeat: the config, whether the chat template is on, the adapters. */
    private CheckpointSettings settings() {
        return CheckpointSettings.of(PpoConfig.SETTINGS, cfg).withChatTemplate(turns.chatTemplate())
                .withAdapters(policy);
    }

    /** One PPO iteration; returns its metrics row (TRL names). */
    public Map<String, Number> step(List<Sample> samplesOut) {
        SplittableRandom rng = new SplittableRandom(cfg.seed() * 1_000_003L + step);
        double beta = kl.value();
        int n = cfg.batchSize();

        // 1.–2. rollout: sample responses with the KV cache keeping per-token log-probs, score them, and take the
        // reference's log-probs of the same tokens (shared with RLOO)
        Rollout.Episodes ro = rollout.collect(rollout.draw(n, rng), rng.nextLong(), step);
        int[] length = ro.length();
        double[] scores = ro.scores();

        long t2 = System.nanoTime();
        // 3. values of the states before each sampled token (no gradient)
        float[][] values;
        try (NoGrad ignored = NoGrad.enter(); NDManager scope = policy.manager().newSubManager(policy.device())) {
            values = ResponseBatch.rows(ResponseBatch.of(scope, ro.promptIds(), ro.response(),
                    IntStream.range(0, n).toArray()).values(value));
        }
        long t3 = System.nanoTime();                                         // time/ref_value

        // 4. per-token reward: −β·(log π − log π_ref) at every token, plus the score at the last token
        float[][] rewards = new float[n][];
        double klSum = 0, nonScore = 0;
        for (int i = 0; i < n; i++) {
            rewards[i] = new float[cfg.responseLength()];
            double rowKl = 0;
            for (int t = 0; t < length[i]; t++) {
                double klT = KlEstimator.K1.of(ro.logp()[i][t], ro.refLogp()[i][t]);
                rewards[i][t] = (float) (-beta * klT);
                rowKl += klT;
            }
            if (length[i] > 0) rewards[i][length[i] - 1] += (float) scores[i];
            klSum += rowKl;
            nonScore += -beta * rowKl;
        }
        double meanKl = klSum / n;                                          // objective/kl
        TrainStep.requireFinite(meanKl, "KL to the reference (log-probs of the rollout)", step + 1);
        double meanNonScore = nonScore / n;                                  // objective/non_score_reward
        if (cfg.whitenRewards()) rewards = Whiten.apply(rewards, length, false);

        // 5. advantages: GAE (γ, λ) over the response, then whitened per batch
        Gae.Result gae = Gae.compute(rewards, padRows(values, cfg.responseLength()), length, cfg.gamma(), cfg.lam());
        float[][] advantages = Whiten.apply(gae.advantages(), length, true);
        float[][] returns = gae.returns();

        // 6. PPO epochs × shuffled minibatches: clipped surrogate + clipped value loss (− entropy bonus)
        double lr = cfg.lrAt(step);                                          // lr
        double[] avg = Minibatches.run(policy, ro, cfg.ppoEpochs(), cfg.miniBatchSize(), rng, 7, (scope, b, stats) -> {
            NDArray mask = b.responseMask();
            NDArray oldLogp = b.pick(scope, ro.logp());
            NDArray oldValues = b.pick(scope, values);
            NDArray adv = b.pick(scope, advantages);
            NDArray ret = b.pick(scope, returns);
            TrainStep.run(scope, opt, lr, cfg.gradClip(), 1, step + 1, micro -> {
                NDArray hidden = b.hidden(policy);
                NDArray logits = ResponseBatch.logits(policy, hidden, cfg.temperature());
                NDArray logp = CausalLm.tokenLogProbs(logits, b.responseIds());
                // shared trunk: the value head reads the policy's hidden states (one pass serves both losses)
                NDArray newValues = cfg.sharedTrunk() ? value.scoresOf(hidden) : b.values(value);
                PpoLoss.Terms pg = PpoLoss.policy(logp, oldLogp, adv, mask, cfg.clipRange());
                PpoLoss.Terms vf = PpoLoss.value(newValues, oldValues, ret, mask, cfg.clipRangeValue());
                NDArray logSoftmax = logits.logSoftmax(-1);
                NDArray entropy = PpoLoss.maskedMean(logSoftmax.exp().mul(logSoftmax).sum(new int[] {-1}).neg(), mask);
                stats[0] = pg.loss().getFloat();
                stats[1] = vf.loss().getFloat();
                stats[2] = pg.approxKl();
                stats[3] = pg.clipFrac();
                stats[4] = vf.clipFrac();
                stats[5] = pg.ratio();
                stats[6] = entropy.getFloat();
                return PpoLoss.total(pg.loss(), vf.loss(), entropy, cfg.vfCoef(), cfg.entCoef());
            });
        });

        long t4 = System.nanoTime();                                         // time/update
        // 7. KL controller: adapt β towards the target KL (no-op when fixed)
        kl.update(meanKl, n);
        step++;
        // 8. weight averaging over the run's tail; after the last step the policy is the mean
        if (average != null && step > cfg.averageFrom()) {
            average.add();
            if (step == cfg.steps()) average.copyInto();
        }

        ro.sampleInto(samplesOut, step, cfg.sampleEvery());
        Map<String, Number> row = StepMetrics.objectives(step, ro, meanKl, meanNonScore, ro.meanScore() + meanNonScore);
        row.put("policy/approxkl_avg", avg[2]);
        row.put("policy/clipfrac_avg", avg[3]);
        row.put("policy/entropy_avg", avg[6]);
        row.put("loss/policy_avg", avg[0]);
        row.put("loss/value_avg", avg[1]);
        row.put("val/clipfrac_avg", avg[4]);
        row.put("val/ratio", avg[5]);
        StepMetrics.rollout(row, ro, beta, lr);
        row.put("time/ref_value", ro.refSeconds() + (t3 - t2) / 1e9);
        row.put("time/update", (t4 - t3) / 1e9);
        return row;
    }

    /** Runs {@code cfg.steps()} iterations (from the current step), logging every row. */
    @Override
    public void train(MetricsLog log, List<Sample> samples, IntConsumer afterStep) {
        KlWatch watch = KlWatch.of(cfg);
        StepLoop.run("ppo", policy, cfg.steps(), () -> step, () -> step(samples), log, afterStep, watch == null ? null : watch::check);
    }

    private static float[][] padRows(float[][] x, int width) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = Arrays.copyOf(x[i], width);
        return out;
    }
}
