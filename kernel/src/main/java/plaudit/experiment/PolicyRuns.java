package plaudit.experiment;

import plaudit.UserError;
import plaudit.data.Comparison;
import plaudit.data.RewardFunction;
import plaudit.eval.Measurement;
import plaudit.model.CausalLm;
import plaudit.model.Gpt;
import plaudit.model.LoraLm;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.report.Plot;
import plaudit.report.RunPlots;
import plaudit.text.Turns;
import plaudit.train.DpoTrainer;
import plaudit.train.SupervisedLoop;
import plaudit.train.pg.PolicyGradientTrainer;
import plaudit.train.pg.ResumableTraining;
import plaudit.train.pg.Sample;
import plaudit.train.pg.SamplesCsv;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;
import plaudit.train.rloo.RlooConfig;
import plaudit.train.rloo.RlooTrainer;
import plaudit.train.steer.SteerConfig;
import plaudit.train.steer.SteerResult;
import plaudit.train.steer.Steering;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The policy runs from SFT: PPO, DPO, RLOO and goal steering, each into {@code NAME/}, each measured on the held-out
 * evaluation prompts against SFT's samples there.
 */
final class PolicyRuns {
    /** Folders (and metrics names) of the pipeline's stages, which a PPO run's name must not reuse. */
    private static final List<String> STAGE_FOLDERS = List.of("forum", "pairs", "pretrain", "sft", "rm", "plots");

    private final Experiment e;
    private final RunState s;
    private final DataStage.Result data;
    private final Turns turns;
    private final CausalLm sft;
    private final ScoreModel rm;
    private final RewardModelStage.Result rewardModel;
    private final RewardFunction reward;

    /** @param reward the experiment's reward: what RLOO optimises and every measured policy is scored with */
    PolicyRuns(Experiment e, RunState s, DataStage.Result data, Turns turns, CausalLm sft, RewardModelStage.Result rm,
               RewardFunction reward) {
        this.e = e;
        this.s = s;
        this.data = data;
        this.turns = turns;
        this.sft = sft;
        this.rm = rm.rm();
        this.rewardModel = rm;
        this.reward = reward;
    }

    /**
     * One PPO run from SFT against {@code runReward}, the value function initialised from the reward model. Writes
     * {@code NAME/metrics.csv}, {@code NAME/samples.csv} and {@code plots/NAME.svg}; with a {@code measuredAs}, also
     * measures the trained policy under that summary prefix ({@link #measure}).
     *
     * @param measuredAs the summary prefix of the trained policy's measurements; null = not measured
     */
    Table ppo(String name, PpoConfig cfg, String measuredAs, RewardFunction runReward) {
        if (STAGE_FOLDERS.contains(name)) {
            throw new UserError("PPO run name '" + name + "' is taken by the pipeline's own folders "
                    + STAGE_FOLDERS + "; give the run another name, e.g. 'ppo_" + name + "'");
        }
        s.stage(name + " (" + (cfg.adaptiveKl() ? "adaptive KL, target " + cfg.targetKl() : "β = " + cfg.klCoef()) + ")");
        try (CausalLm policy = policy();
             // null with a shared trunk: the trainer puts the value head on the policy
             ScoreModel value = cfg.sharedTrunk() ? null : valueModel()) {
            Table t = train(name, new PpoTrainer(policy, sft, value, runReward, data.gold(), turns, trainPrompts(), cfg),
                    cfg.steps());
            if (measuredAs != null) measure(measuredAs, policy);
            return t;
        } finally {
            sft.setTrainable(false);
        }
    }

    /** DPO from SFT (reference = the frozen SFT model) on the training comparisons, validated on held-out ones. */
    Table dpo(String name, DpoTrainer.Config cfg) {
        s.stage(name + " (β = " + cfg.beta() + ")");
        List<Comparison> heldOut = data.splits().heldOut();
        SupervisedLoop.Control control = s.control(name, cfg.steps());
        try (CausalLm policy = policy();
             MetricsLog log = RunState.metricsLog(name, s.out.resolve(name + "/metrics.csv"), control)) {
            new DpoTrainer(policy, sft, turns, data.splits().train(),
                    heldOut.subList(0, Math.min(Recipe.DPO_VAL_PAIRS, heldOut.size())), cfg).train(log, control);
            Table t = log.table();
            s.metrics.put(name, t);
            s.plot(name, Plot.lines(t, "step", "rewards/chosen", "rewards/rejected", "rewards/margins").toBuilder()
                    .title(name + ": implicit rewards β·log(π/π_ref) of chosen and rejected replies").build());
            measure(name, policy);
            return t;
        }
    }

    /** RLOO from SFT against the experiment's reward. */
    Table rloo(String name, RlooConfig cfg) {
        s.stage(name + " (k = " + cfg.k() + ", β = " + cfg.klCoef() + ")");
        try (CausalLm policy = policy()) {
            Table t = train(name, new RlooTrainer(policy, sft, reward, data.gold(), turns, trainPrompts(), cfg), cfg.steps());
            measure(name, policy);
            return t;
        } finally {
            sft.setTrainable(false);
        }
    }

    /**
     * Trains a policy-gradient run into {@code NAME/} ({@code metrics.csv}, {@code samples.csv}, {@code plots/NAME.svg});
     * a resumable runner checkpoints it {@link Recipe#CHECKPOINTS_PER_RUN} times per run and continues from the last
     * checkpoint.
     */
    private Table train(String name, PolicyGradientTrainer trainer, int steps) {
        Path dir = s.out.resolve(name);
        List<Sample> rows = new ArrayList<>();
        if (s.resume) {
            int at = ResumableTraining.resume(trainer, dir, rows);
            if (at > 0) s.stage(name + ": resumed at step " + at + " of " + steps);
        }
        int every = s.resume ? Recipe.checkpointEvery(steps) : 0;
        Table t = ResumableTraining.run(name, trainer, dir, steps, every, rows, s.cancelAt(name));
        s.samples.put(name, SamplesCsv.table(rows));
        s.metrics.put(name, t);
        s.plot(name, RunPlots.policyGradient(name, t, data.gold() != null));
        return t;
    }

    /**
     * Samples {@code policy} on the held-out evaluation prompts, {@code evaluation.samples} per prompt as SFT's samples
     * there, and records its {@link Measurement} under {@code prefix}: {@code PREFIX_kl}, {@code PREFIX_proxy}, with
     * gold {@code PREFIX_gold}, {@code PREFIX_gold_winrate_vs_sft} and {@code PREFIX_gold_winrate_se}.
     */
    void measure(String prefix, CausalLm policy) {
        Measurement.of(prefix, policy, sft, reward, data.gold(), turns, rewardModel.sftSamples().prompts(),
                        e.ppo().responseLength(), e.seed() + Recipe.SFT_SAMPLES_SEED)
                .putInto(s.summary, prefix, rewardModel.sftGold(), e.evaluation().samples());
    }

    /**
     * Goal steering of the frozen SFT model towards {@code target} (soft prompt, {@link Steering}): trained on up to
     * {@link Recipe#STEER_TRAIN_PROMPTS} training prompts, measured on the held-out evaluation prompts. Records
     * {@code NAME_kl}, {@code NAME_gold}, {@code NAME_p_target_before} and {@code NAME_p_target_after}; writes and
     * returns {@code NAME/steer.csv}.
     */
    Table steer(String name, String target, SteerConfig cfg) {
        s.stage(name + " (goal steering towards \"" + target + "\")");
        if (!(sft instanceof Gpt gpt)) {
            throw new UserError("steer: goal steering runs on GPT-2 models only, and this run's model is a "
                    + sft.modelType() + "; leave steering out of a run from a " + sft.modelType() + " folder");
        }
        List<SteerResult> r = Steering.run(gpt, turns.tokenizer(), Comparison.prompts(data.splits().train(), Recipe.STEER_TRAIN_PROMPTS),
                data.splits().heldOutPrompts(e.evaluation().prompts()), target, cfg, List.of(Steering.Method.SOFT),
                data.gold());
        SteerResult soft = r.get(0);
        s.summary.put(name + "_kl", soft.kl());
        if (data.gold() != null) s.summary.put(name + "_gold", soft.goldAfter());
        s.summary.put(name + "_p_target_before", soft.pTargetBefore());
        s.summary.put(name + "_p_target_after", soft.pTargetAfter());
        Table t = Steering.table(target, r);
        try {
            Files.createDirectories(s.out.resolve(name));
            Steering.writeCsv(t, s.out.resolve(name + "/steer.csv"));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return t;
    }

    /**
     * A policy to train from SFT: with LoRA fresh adapters on the SFT model, whose weights then serve policy and
     * reference at once (one copy); without, a copy of it.
     */
    private CausalLm policy() {
        return e.lora().enabled() ? e.lora().apply(sft, e.seed() + Recipe.LORA_POLICY_SEED)
                : RewardModelStage.copy(sft, s.out.resolve("sft/checkpoint"));
    }

    /**
     * PPO's value model, initialised from the reward model: with LoRA a third view on the SFT model carrying a copy of
     * the reward model's adapters ({@code rm/adapter}) and head; without, a copy of the reward model.
     */
    private ScoreModel valueModel() {
        CausalLm trunk = e.lora().enabled() ? LoraLm.load(sft, RewardModelStage.adapter(s))
                : RewardModelStage.copy(rm.trunk(), s.out.resolve("rm/checkpoint"));
        return ScoreModel.withHead(trunk, rm.headParameters(), rm.readout());
    }

    private List<String> trainPrompts() {
        return Comparison.prompts(data.splits().train(), Integer.MAX_VALUE);
    }
}
