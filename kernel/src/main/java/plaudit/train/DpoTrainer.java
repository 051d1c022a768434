package plaudit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import plaudit.Setting;
import plaudit.Settings;
import plaudit.UserError;
import plaudit.data.Comparison;
import plaudit.model.CausalLm;
import plaudit.model.NoGrad;
import plaudit.report.MetricsLog;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Direct Preference Optimization (Rafailov et al. 2023) on the same comparisons the reward model learns from: the
 * policy (initialised from SFT) is trained so that its log-prob ratio to the frozen SFT reference ranks the chosen
 * reply above the rejected one — no reward model, no sampling. Responses end with end-of-text, as in SFT and the
 * reward model. The reference log-probs never change, so they are computed once, before the first step.
 */
public final class DpoTrainer {

    /**
     * DPO hyperparameters. Defaults: β = 0.1 (Rafailov et al. 2023; TRL's {@code DPOConfig.beta}); learning rate,
     * batch and steps scaled for CPU-sized models (TRL's 1e-6 is for billion-parameter models fine-tuned for one
     * epoch). Each component is defined once, by its {@link Setting} constant: default, documentation, validation and
     * the {@code plaudit dpo} option; {@link #SETTINGS} is what the CLI and the DSL read.
     */
    public record Config(int steps, int batchSize, double lr, double beta, double gradClip, int maxResponse,
                         int evalEvery, long seed) {
        public static final Setting<Integer> STEPS = Setting.of("steps", 100, "Optimizer steps")
                .check(v -> v > 0, "> 0").option("--steps");
        public static final Setting<Integer> BATCH_SIZE = Setting.of("batchSize", 16, "Comparisons per step")
                .check(v -> v > 0, "> 0").option("--batch");
        public static final Setting<Double> LR = Setting.of("lr", 5e-5, "Peak learning rate (warm-up over the first tenth of the steps, cosine to a tenth of it)")
                .check(v -> v > 0, "> 0").option("--lr");
        public static final Setting<Double> BETA = Setting.of("beta", 0.1,
                        "β, strength of the implicit KL constraint to the SFT reference")
                .check(v -> v > 0, "> 0").option("--beta");
        public static final Setting<Double> GRAD_CLIP = Setting.of("gradClip", 1.0, "Max global gradient norm");
        public static final Setting<Integer> MAX_RESPONSE = Setting.of("maxResponse", 64, "Most tokens kept per reply")
                .check(v -> v > 0, "> 0").option("--max-response");
        public static final Setting<Integer> EVAL_EVERY = Setting.of("evalEvery", 25,
                "Validation interval in steps (and at the end)").option("--eval-every");
        public static final Setting<Long> SEED = Setting.of("seed", 1L, "Seeds the batch order and dropout");

        /** Every DPO setting, in component order. */
        public static final Settings<Config> SETTINGS = Settings.of(Config.class, "dpo config");

        public Config {
            SETTINGS.validate(steps, batchSize, lr, beta, gradClip, maxResponse, evalEvery, seed);
        }

        public static Config defaults() {
            return SETTINGS.defaults();
        }
    }

    /** A tokenized comparison with its reference log-probs, computed once. */
    record Pair(Sequences.Seq chosen, Sequences.Seq rejected, float refChosen, float refRejected) {
    }

    private final CausalLm policy;
    private final Config cfg;
    private final List<Pair> train;
    private final List<Pair> val;
    private final AdamW opt;
    private final LrSchedule schedule;
    private final int pad;
    private final boolean chatTemplate;

    /**
     * @param policy trained in place (initialised from SFT)
     * @param ref    the frozen SFT model
     * @param val    held-out comparisons for the {@code eval_*} metrics (empty: none)
     */
    public DpoTrainer(CausalLm policy, CausalLm ref, Tokenizer tok, List<Comparison> train, List<Comparison> val, Config cfg) {
        this(policy, ref, Sequences.plain(tok), train, val, cfg);
    }

    /** As the constructor with a tokenizer, prompts and replies made ids by {@code turns}. */
    public DpoTrainer(CausalLm policy, CausalLm ref, Turns turns, List<Comparison> train, List<Comparison> val, Config cfg) {
        if (train.isEmpty()) throw new UserError("dpo: no training comparisons");
        this.policy = policy;
        this.cfg = cfg;
        this.pad = Math.max(0, turns.tokenizer().eosId());
        this.chatTemplate = turns.chatTemplate();
        ref.setTrainable(false);
        this.train = withReference(ref, turns, train);
        this.val = withReference(ref, turns, val);
        policy.setTrainable(true);
        this.opt = AdamW.of(policy.parameters(), 0.0);
        this.schedule = new LrSchedule(cfg.lr(), cfg.lr() / 10, Math.max(1, cfg.steps() / 10), cfg.steps());
    }

    /** Runs every step, logging one row per step (TRL names) and the {@code eval_*} metrics every evalEvery steps. */
    public void train(MetricsLog log) {
        train(log, SupervisedLoop.Control.NONE);
    }

    /** As {@link #train(MetricsLog)}, under {@code control} (step hook, checkpoints, resume). */
    public void train(MetricsLog log, SupervisedLoop.Control control) {
        SupervisedLoop.Settings settings = new SupervisedLoop.Settings("dpo", cfg.steps(), schedule, cfg.gradClip(), 1,
                cfg.evalEvery(), cfg.seed(), CheckpointSettings.of(Config.SETTINGS, cfg).withChatTemplate(chatTemplate)
                .withAdapters(policy));
        SupervisedLoop.run(settings, policy, Map.of(), opt, new Comparisons(), log, control);
        policy.setTrainable(false);
    }

    /** The DPO loss and its terms on comparisons drawn epoch by epoch; the held-out {@code eval_*} metrics. */
    private final class Comparisons implements SupervisedLoop.Task<List<Pair>> {
        private final Epochs epochs = new Epochs(train.size());

        @Override
        public List<Pair> draw(SplittableRandom rng) {
            return epochs.batch(train, cfg.batchSize(), rng);
        }

        @Override
        public void progress(int done, Map<String, Number> row) {
            row.put("epoch", (double) done * cfg.batchSize() / train.size());
        }

        @Override
        public NDArray loss(NDManager scope, List<Pair> batch, int micro, Map<String, Number> metrics) {
            DpoLoss.Terms t = terms(scope, batch, true);
            metrics.put("rewards/chosen", t.rewardsChosen());
            metrics.put("rewards/rejected", t.rewardsRejected());
            metrics.put("rewards/accuracies", t.rewardsAccuracies());
            metrics.put("rewards/margins", t.rewardsMargins());
            metrics.put("logps/chosen", t.logpsChosen());
            metrics.put("logps/rejected", t.logpsRejected());
            return t.loss();
        }

        @Override
        public List<String> heldOutMetrics() {
            return List.of("eval_loss", "eval_rewards/accuracies", "eval_rewards/margins");
        }

        @Override
        public Map<String, Number> evaluate() {
            if (val.isEmpty()) return null;
            double[] ev = DpoTrainer.this.evaluate();
            Map<String, Number> m = new LinkedHashMap<>();
            m.put("eval_loss", ev[0]);
            m.put("eval_rewards/accuracies", ev[1]);
            m.put("eval_rewards/margins", ev[2]);
            return m;
        }
    }

    /** Held-out {@code (loss, rewards/accuracies, rewards/margins)}, pair-weighted means. */
    public double[] evaluate() {
        double loss = 0, acc = 0, margin = 0;
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < val.size(); from += cfg.batchSize()) {
                List<Pair> batch = val.subList(from, Math.min(val.size(), from + cfg.batchSize()));
                try (NDManager scope = policy.manager().newSubManager(policy.device())) {
                    DpoLoss.Terms t = terms(scope, batch, false);
                    loss += t.loss().getFloat() * batch.size();
                    acc += t.rewardsAccuracies() * batch.size();
                    margin += t.rewardsMargins() * batch.size();
                }
            }
        }
        return new double[] {loss / val.size(), acc / val.size(), margin / val.size()};
    }

    private DpoLoss.Terms terms(NDManager scope, List<Pair> batch, boolean train) {
        NDArray[] logps = chosenRejectedLogps(policy, scope, batch, pad, train);
        float[] rc = new float[batch.size()], rr = new float[batch.size()];
        for (int i = 0; i < rc.length; i++) {
            rc[i] = batch.get(i).refChosen();
            rr[i] = batch.get(i).refRejected();
        }
        return DpoLoss.of(logps[0], logps[1], scope.create(rc), scope.create(rr), cfg.beta());
    }

    /**
     * Sequence log-probs {@code [B]} of the chosen and the rejected replies, from one forward pass over both (the
     * sum of the reply tokens' log-probs; the prompt is context).
     */
    static NDArray[] chosenRejectedLogps(CausalLm model, NDManager scope, List<Pair> batch, int pad, boolean train) {
        List<Sequences.Seq> seqs = new ArrayList<>(2 * batch.size());
        for (Pair p : batch) seqs.add(p.chosen());
        for (Pair p : batch) seqs.add(p.rejected());
        NDArray all = sequenceLogps(model, scope, seqs, pad, train);
        int b = batch.size();
        return new NDArray[] {all.get(new NDIndex("0:{}", b)), all.get(new NDIndex("{}:", b))};
    }

    /** {@code Σ_t log π(y_t | x, y_<t)} over each sequence's response tokens, {@code [B]}. */
    static NDArray sequenceLogps(CausalLm model, NDManager scope, List<Sequences.Seq> seqs, int pad, boolean train) {
        NDArray[] xym = Sequences.responseTargets(scope, seqs, pad);
        NDArray logp = CausalLm.tokenLogProbs(model.forward(xym[0], null, null, null, train), xym[1]);
        return logp.mul(xym[2]).sum(new int[] {1});
    }

    private List<Pair> withReference(CausalLm ref, Turns turns, List<Comparison> comparisons) {
        int blockSize = policy.contextLength();
        List<RewardTrainer.Pair> pairs = RewardTrainer.tokenize(turns, comparisons, blockSize, cfg.maxResponse());
        List<Pair> out = new ArrayList<>(pairs.size());
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < pairs.size(); from += 64) {
                List<RewardTrainer.Pair> chunk = pairs.subList(from, Math.min(pairs.size(), from + 64));
                List<Pair> bare = new ArrayList<>(chunk.size());
                for (RewardTrainer.Pair p : chunk) bare.add(new Pair(p.chosen(), p.rejected(), 0f, 0f));
                try (NDManager scope = ref.manager().newSubManager(ref.device())) {
                    NDArray[] lp = chosenRejectedLogps(ref, scope, bare, pad, false);
                    float[] c = lp[0].toFloatArray(), r = lp[1].toFloatArray();
                    for (int i = 0; i < bare.size(); i++) {
                        TrainStep.requireFinite(c[i] + r[i], "reference log-prob of comparison " + (from + i), 0);
                        out.add(new Pair(bare.get(i).chosen(), bare.get(i).rejected(), c[i], r[i]));
                    }
                }
            }
        }
        return out;
    }
}
