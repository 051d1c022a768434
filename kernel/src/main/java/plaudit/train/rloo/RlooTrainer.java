package plaudit.train.rloo;

import plaudit.train.pg.Sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import plaudit.model.Gpt;
import plaudit.report.MetricsLog;
import plaudit.data.RewardFunction;
import plaudit.text.Tokenizer;
import plaudit.train.AdamW;
import plaudit.train.Permutation;
import plaudit.train.TrainStep;
import plaudit.train.pg.PolicyCheckpoint;
import plaudit.train.pg.PolicyGradientTrainer;
import plaudit.train.pg.PpoLoss;
import plaudit.train.pg.ResponseBatch;
import plaudit.train.pg.Rollout;
import plaudit.train.pg.StepLoop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * REINFORCE Leave-One-Out (Ahmadian et al. 2024, "Back to Basics"): k samples per prompt, each response's reward is
 * its score minus β times its KL to the reference (the KL sits in the reward, per sequence), the advantage is that
 * reward minus the mean of the other k − 1 samples of the same prompt, and the loss is REINFORCE on the whole
 * response's log-prob — optionally through PPO's clipped ratio, as TRL's RLOOTrainer does. No value network. The
 * rollout (sampling, scoring, EOS penalty, reward clipping, reference log-probs) is PPO's {@link Rollout}.
 */
public final class RlooTrainer implements PolicyGradientTrainer {
    private final Gpt policy;
    private final Tokenizer tok;
    private final Rollout rollout;
    private final RlooConfig cfg;
    private final AdamW opt;
    private int step;

    /**
     * @param policy  trained in place (initialised from SFT)
     * @param ref     the frozen SFT model the KL is measured against
     * @param reward  the score of a finished response
     * @param gold    ground-truth scorer for {@code objective/gold}, or null
     * @param prompts the prompts rollouts draw from
     */
    public RlooTrainer(Gpt policy, Gpt ref, RewardFunction reward, RewardFunction gold, Tokenizer tok,
                       List<String> prompts, RlooConfig cfg) {
        this.policy = policy;
        this.tok = tok;
        this.cfg = cfg;
        this.rollout = new Rollout("rloo", policy, ref, reward, gold, tok, prompts, cfg.responseLength(),
                cfg.temperature(), cfg.missingEosPenalty(), cfg.rewardClip());
        ref.setTrainable(false);
        policy.setTrainable(true);
        this.opt = AdamW.of(policy.parameters(), 0.0);
    }

    @Override
    public int step() {
        return step;
    }

    /** Writes the run's state atomically ({@link PolicyCheckpoint}): policy, optimizer, step. */
    @Override
    public void save(Path dir) {
        PolicyCheckpoint.save(dir, policy, tok, opt, Map.of(), step, cfg.seed(), Map.of());
    }

    /** Continues a run from a checkpoint written by {@link #save}: same metrics as if it had never stopped. */
    @Override
    public void resume(Path dir) {
        step = PolicyCheckpoint.resume(dir, cfg.seed(), policy, opt, Map.of()).get("step").asInt();
    }

    /** One RLOO iteration; returns its metrics row (TRL names). */
    public Map<String, Number> step(List<Sample> samplesOut) {
        SplittableRandom rng = new SplittableRandom(cfg.seed() * 1_000_003L + step);
        int k = cfg.k(), n = cfg.batchSize();

        // 1. rollout: each drawn prompt k times, in prompt-major groups of k
        List<String> drawn = rollout.draw(cfg.prompts(), rng);
        List<String> batchPrompts = new ArrayList<>(n);
        for (String p : drawn) for (int j = 0; j < k; j++) batchPrompts.add(p);
        Rollout.Episodes ro = rollout.collect(batchPrompts, rng.nextLong(), step);

        long t3 = System.nanoTime();
        // 2. sequence reward with the KL inside it: r = score − β·Σ_t (log π − log π_ref)
        double[] kl = ro.sequenceKl();
        double[] rlhf = new double[n];
        for (int i = 0; i < n; i++) rlhf[i] = ro.scores()[i] - cfg.klCoef() * kl[i];
        double meanKl = mean(kl);                                             // objective/kl
        TrainStep.requireFinite(meanKl, "KL to the reference (log-probs of the rollout)", step);

        // 3. advantages: leave-one-out baseline within each prompt's k samples
        double[] advantages = LeaveOneOut.advantages(rlhf, k);
        if (cfg.normalizeAdvantages()) advantages = whiten(advantages);
        double[] oldLogp = new double[n];
        for (int i = 0; i < n; i++) for (int t = 0; t < ro.length()[i]; t++) oldLogp[i] += ro.logp()[i][t];

        // 4. REINFORCE on the response's log-prob, through the clipped ratio when the policy has moved
        double pgLossSum = 0, approxKlSum = 0, clipFracSum = 0, ratioSum = 0;
        int updates = 0;
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            int[] order = Permutation.of(n, rng);
            for (int from = 0; from < n; from += cfg.miniBatchSize()) {
                int[] mb = Arrays.copyOfRange(order, from, from + cfg.miniBatchSize());
                double[] stats = new double[4];
                double[] adv = advantages;
                try (NDManager scope = policy.manager().newSubManager(policy.device())) {
                    ResponseBatch b = ResponseBatch.of(scope, ro.promptIds(), ro.response(), mb);
                    NDArray old = b.pick(scope, oldLogp);
                    NDArray a = b.pick(scope, adv);
                    NDArray rows = scope.ones(old.getShape());
                    TrainStep.run(scope, opt, cfg.lr(), cfg.gradClip(), 1, step, micro -> {
                        NDArray logp = b.logProbs(policy, cfg.temperature()).mul(b.responseMask()).sum(new int[] {1});
                        PpoLoss.Terms pg = PpoLoss.policy(logp, old, a, rows, cfg.clipRange());
                        stats[0] = pg.loss().getFloat();
                        stats[1] = pg.approxKl();
                        stats[2] = pg.clipFrac();
                        stats[3] = pg.ratio();
                        return pg.loss();
                    });
                }
                pgLossSum += stats[0];
                approxKlSum += stats[1];
                clipFracSum += stats[2];
                ratioSum += stats[3];
                updates++;
            }
        }
        long t4 = System.nanoTime();
        step++;

        if (samplesOut != null && cfg.sampleEvery() > 0 && (step % cfg.sampleEvery() == 0 || step == 1)) {
            for (int i = 0; i < Math.min(4, n); i++) {
                samplesOut.add(new Sample(step, ro.prompts().get(i), ro.text()[i], ro.scores()[i],
                        ro.goldScores() == null ? Double.NaN : ro.goldScores()[i]));
            }
        }
        double meanScore = mean(ro.scores());
        Map<String, Number> row = new LinkedHashMap<>();
        row.put("step", step);
        row.put("episode", (long) step * n);
        row.put("objective/kl", meanKl);
        row.put("objective/entropy", ro.entropy());
        row.put("objective/non_score_reward", -cfg.klCoef() * meanKl);
        row.put("objective/rlhf_reward", mean(rlhf));
        row.put("objective/scores", meanScore);
        row.put("objective/gold", ro.goldMean());
        row.put("policy/approxkl_avg", approxKlSum / updates);
        row.put("policy/clipfrac_avg", clipFracSum / updates);
        row.put("loss/policy_avg", pgLossSum / updates);
        row.put("val/ratio", ratioSum / updates);
        row.put("val/num_eos_tokens", ro.eosCount());
        row.put("response_length", Arrays.stream(ro.length()).average().orElse(0));
        row.put("kl_coef", cfg.klCoef());
        row.put("lr", cfg.lr());
        row.put("time/rollout", ro.rolloutSeconds());
        row.put("time/score", ro.scoreSeconds());
        row.put("time/ref", ro.refSeconds());
        row.put("time/update", (t4 - t3) / 1e9);
        return row;
    }

    /** Runs {@code cfg.steps()} iterations, logging every row. */
    @Override
    public void train(MetricsLog log, List<Sample> samples, IntConsumer afterStep) {
        StepLoop.run("rloo", cfg.steps(), () -> step, () -> step(samples), log, afterStep, null);
        policy.setTrainable(false);
    }

    private static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElse(Double.NaN);
    }

    private static double[] whiten(double[] xs) {
        double m = mean(xs), var = 0;
        for (double x : xs) var += (x - m) * (x - m);
        double sd = Math.sqrt(var / Math.max(1, xs.length - 1)) + 1e-8;
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) out[i] = (xs[i] - m) / sd;
        return out;
    }
}
