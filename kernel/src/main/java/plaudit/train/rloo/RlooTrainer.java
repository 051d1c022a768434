package plaudit.train.rloo;

import ai.djl.ndarray.NDArray;
import plaudit.data.RewardFunction;
import plaudit.model.CausalLm;
import plaudit.report.MetricsLog;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;
import plaudit.train.AdamW;
import plaudit.train.CheckpointSettings;
import plaudit.train.Sequences;
import plaudit.train.TrainStep;
import plaudit.train.TrainingCheckpoint;
import plaudit.train.pg.Minibatches;
import plaudit.train.pg.PolicyGradientTrainer;
import plaudit.train.pg.PpoLoss;
import plaudit.train.pg.Rollout;
import plaudit.train.pg.Sample;
import plaudit.train.pg.StepLoop;
import plaudit.train.pg.StepMetrics;
import plaudit.train.pg.Whiten;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
    private final CausalLm policy;
    private final Turns turns;
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
    public RlooTrainer(CausalLm policy, CausalLm ref, RewardFunction reward, RewardFunction gold, Tokenizer tok,
                       List<String> prompts, RlooConfig cfg) {
        this(policy, ref, reward, gold, Sequences.plain(tok), prompts, cfg);
    }

    /** As the constructor with a tokenizer, prompts and replies made ids by {@code turns}. */
    public RlooTrainer(CausalLm policy, CausalLm ref, RewardFunction reward, RewardFunction gold, Turns turns,
                       List<String> prompts, RlooConfig cfg) {
        this.policy = policy;
        this.turns = turns;
        this.cfg = cfg;
        this.rollout = new Rollout("rloo", policy, ref, reward, gold, turns, prompts, cfg.responseLength(),
                cfg.temperature(), cfg.missingEosPenalty(), cfg.rewardClip());
        ref.setTrainable(false);
        policy.setTrainable(true);
        this.opt = AdamW.of(policy.parameters(), 0.0);
    }

    @Override
    public int step() {
        return step;
    }

    /** Writes the run's state atomically ({@link TrainingCheckpoint}): policy, optimizer, step. */
    @Override
    public void save(Path dir) {
        TrainingCheckpoint.save(dir, policy, turns.tokenizer(), opt, Map.of(), step, settings(), Map.of());
    }

    /** Continues a run from a checkpoint written by {@link #save}: same metrics as if it had never stopped. */
    @Override
    public void resume(Path dir) {
        step = TrainingCheckpoint.resume(dir, settings(), policy, opt, Map.of())
                .get("step").asInt();
    }

    /** What a checkpoint records and a resumed run must repeat: the config, whether the chat template is on, the adapters. */
    private CheckpointSettings settings() {
        return CheckpointSettings.of(RlooConfig.SETTINGS, cfg).withChatTemplate(turns.chatTemplate())
                .withAdapters(policy);
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
        TrainStep.requireFinite(meanKl, "KL to the reference (log-probs of the rollout)", step + 1);

        // 3. advantages: leave-one-out baseline within each prompt's k samples
        double[] leaveOneOut = LeaveOneOut.advantages(rlhf, k);
        double[] advantages = cfg.normalizeAdvantages() ? Whiten.apply(leaveOneOut) : leaveOneOut;
        double[] oldLogp = new double[n];
        for (int i = 0; i < n; i++) for (int t = 0; t < ro.length()[i]; t++) oldLogp[i] += ro.logp()[i][t];

        // 4. REINFORCE on the response's log-prob, through the clipped ratio when the policy has moved
        double[] avg = Minibatches.run(policy, ro, cfg.epochs(), cfg.miniBatchSize(), rng, 4, (scope, b, stats) -> {
            NDArray old = b.pick(scope, oldLogp);
            NDArray a = b.pick(scope, advantages);
            NDArray rows = scope.ones(old.getShape());
            TrainStep.run(scope, opt, cfg.lr(), cfg.gradClip(), 1, step + 1, micro -> {
                NDArray logp = b.logProbs(policy, cfg.temperature()).mul(b.responseMask()).sum(new int[] {1});
                PpoLoss.Terms pg = PpoLoss.policy(logp, old, a, rows, cfg.clipRange());
                stats[0] = pg.loss().getFloat();
                stats[1] = pg.approxKl();
                stats[2] = pg.clipFrac();
                stats[3] = pg.ratio();
                return pg.loss();
            });
        });
        long t4 = System.nanoTime();
        step++;

        ro.sampleInto(samplesOut, step, cfg.sampleEvery());
        Map<String, Number> row = StepMetrics.objectives(step, ro, meanKl, -cfg.klCoef() * meanKl, mean(rlhf));
        row.put("policy/approxkl_avg", avg[1]);
        row.put("policy/clipfrac_avg", avg[2]);
        row.put("loss/policy_avg", avg[0]);
        row.put("val/ratio", avg[3]);
        StepMetrics.rollout(row, ro, cfg.klCoef(), cfg.lr());
        row.put("time/ref", ro.refSeconds());
        row.put("time/update", (t4 - t3) / 1e9);
        return row;
    }

    /** Runs {@code cfg.steps()} iterations, logging every row. */
    @Override
    public void train(MetricsLog log, List<Sample> samples, IntConsumer afterStep) {
        StepLoop.run("rloo", policy, cfg.steps(), () -> step, () -> step(samples), log, afterStep, null);
    }

    private static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElse(Double.NaN);
    }
}
