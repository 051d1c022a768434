package plaudit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import plaudit.UserError;
import plaudit.data.Comparison;
import plaudit.data.RewardFunction;
import plaudit.model.NoGrad;
import plaudit.model.Scalar;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Bradley–Terry reward model training: {@code loss = −log σ(r(x, y_w) − r(x, y_l) − m)} with an optional per-pair
 * margin {@code m} (the log upvote ratio) and an optional centering term {@code c·mean((r_w + r_l)²)} that keeps
 * rewards near 0 (TRL's {@code center_rewards_coefficient}). The score is read from prompt + response + end-of-text
 * through the model's {@link ScoreModel.Readout} (the last token, or the mean over positions).
 */
public final class RewardTrainer {

    /**
     * @param steps       optimizer steps
     * @param batchSize   comparisons per step
     * @param lr          peak learning rate (after warmup, cosine to lr/10)
     * @param warmup      warmup steps
     * @param weightDecay AdamW weight decay
     * @param gradClip    max gradient norm
     * @param maxResponse most response tokens kept per reply
     * @param useMargin   subtract the pair's margin inside the sigmoid (pairs without a margin use 0)
     * @param centerCoef  weight of the reward-centering term; 0 = off
     * @param evalEvery   validation interval in steps (and at the end)
     * @param seed        seeds the batch order
     */
    public record Config(int steps, int batchSize, double lr, int warmup, double weightDecay, double gradClip,
                         int maxResponse, boolean useMargin, double centerCoef, int evalEvery, long seed) {
        public Config {
            if (steps <= 0 || batchSize <= 0) throw new UserError("reward model: steps and batch must be positive");
        }
    }

    /** A comparison as token sequences. */
    record Pair(Sequences.Seq chosen, Sequences.Seq rejected, double margin, double ratio, Comparison source) {
    }

    /** Held-out quality of a reward model. */
    public record Evaluation(double loss, double accuracy, double goldAgreement, double rewardMean, double rewardStd,
                             Table accuracyByRatio) {
    }

    private RewardTrainer() {
    }

    public static Evaluation train(ScoreModel rm, Tokenizer tok, List<Comparison> train, List<Comparison> val,
                                   RewardFunction gold, Config cfg, MetricsLog log) {
        return train(rm, tok, train, val, gold, cfg, log, SupervisedLoop.Control.NONE);
    }

    /** As {@link #train(ScoreModel, Tokenizer, List, List, RewardFunction, Config, MetricsLog)}, under {@code control}. */
    public static Evaluation train(ScoreModel rm, Tokenizer tok, List<Comparison> train, List<Comparison> val,
                                   RewardFunction gold, Config cfg, MetricsLog log, SupervisedLoop.Control control) {
        return train(rm, Sequences.plain(tok), train, val, gold, cfg, log, control);
    }

    /**
     * As {@link #train(ScoreModel, Tokenizer, List, List, RewardFunction, Config, MetricsLog)}, prompts and replies
     * made ids by {@code turns}, under {@code control}.
     */
    public static Evaluation train(ScoreModel rm, Turns turns, List<Comparison> train, List<Comparison> val,
                                   RewardFunction gold, Config cfg, MetricsLog log, SupervisedLoop.Control control) {
        if (train.isEmpty()) throw new UserError("reward model: no training comparisons");
        int blockSize = rm.trunk().contextLength();
        List<Pair> trainPairs = tokenize(turns, train, blockSize, cfg.maxResponse());
        List<Pair> valPairs = tokenize(turns, val.isEmpty() ? train : val, blockSize, cfg.maxResponse());
        rm.setTrainable(true);
        AdamW opt = AdamW.of(rm.parameters(), cfg.weightDecay());
        SupervisedLoop.Settings settings = new SupervisedLoop.Settings("train-rm", cfg.steps(),
                new LrSchedule(cfg.lr(), cfg.lr() / 10, cfg.warmup(), cfg.steps()), cfg.gradClip(), 1, cfg.evalEvery(),
                cfg.seed(), CheckpointSettings.of(cfg).withChatTemplate(turns.chatTemplate()).withAdapters(rm.trunk()));
        Preferences task = new Preferences(rm, turns.tokenizer(), trainPairs, valPairs, gold, cfg, new Epochs(trainPairs.size()),
                new ArrayList<>());
        SupervisedLoop.run(settings, rm.trunk(), Map.of(ScoreModel.HEAD_FILE, rm.headParameters()), opt, task, log,
                control);
        rm.setTrainable(false);
        return task.evaluations().get(task.evaluations().size() - 1);
    }

    /** Bradley–Terry loss and accuracy on comparisons drawn epoch by epoch; the held-out {@link Evaluation}. */
    private record Preferences(ScoreModel rm, Tokenizer tok, List<Pair> train, List<Pair> val, RewardFunction gold,
                               Config cfg, Epochs epochs, List<Evaluation> evaluations)
            implements SupervisedLoop.Task<List<Pair>> {
        @Override
        public List<Pair> draw(SplittableRandom rng) {
            return epochs.batch(train, cfg.batchSize(), rng);
        }

        @Override
        public NDArray loss(NDManager scope, List<Pair> batch, int micro, Map<String, Number> metrics) {
            NDArray[] rw = rewards(rm, scope, batch, tok.eosId(), true);
            metrics.put("accuracy", rw[0].gt(rw[1]).toType(DataType.FLOAT32, false).mean().getFloat());
            return RewardTrainer.loss(rw[0], rw[1], margins(scope, batch, cfg.useMargin()), cfg.centerCoef());
        }

        @Override
        public List<String> heldOutMetrics() {
            return List.of("val_loss", "val_accuracy", "val_gold_agreement", "reward_mean", "reward_std");
        }

        @Override
        public Map<String, Number> evaluate() {
            Evaluation ev = evaluatePairs(rm, tok, val, gold, cfg);
            evaluations.add(ev);
            Map<String, Number> m = new LinkedHashMap<>();
            m.put("val_loss", ev.loss());
            m.put("val_accuracy", ev.accuracy());
            m.put("val_gold_agreement", ev.goldAgreement());
            m.put("reward_mean", ev.rewardMean());
            m.put("reward_std", ev.rewardStd());
            return m;
        }
    }

    /** {@code −log σ(Δ − m)} averaged, plus {@code c·mean((r_w + r_l)²)}. */
    static NDArray loss(NDArray chosen, NDArray rejected, NDArray margin, double centerCoef) {
        NDArray loss = softplus(chosen.sub(rejected).sub(margin).neg()).mean();
        if (centerCoef > 0) loss = loss.add(Scalar.mul(chosen.add(rejected).square().mean(), centerCoef));
        return loss;
    }

    /** {@code log(1 + e^x)}, stable for large |x|: {@code max(x, 0) + log(1 + e^{−|x|})}. */
    static NDArray softplus(NDArray x) {
        return Scalar.maximum(x, 0).add(x.abs().neg().exp().add(1f).log());
    }

    public static Evaluation evaluate(ScoreModel rm, Tokenizer tok, List<Comparison> pairs, RewardFunction gold, Config cfg) {
        return evaluatePairs(rm, tok, tokenize(Sequences.plain(tok), pairs, rm.trunk().contextLength(), cfg.maxResponse()), gold, cfg);
    }

    static Evaluation evaluatePairs(ScoreModel rm, Tokenizer tok, List<Pair> pairs, RewardFunction gold, Config cfg) {
        double lossSum = 0, correct = 0, goldAgree = 0, goldCount = 0, sum = 0, sq = 0;
        // accuracy by score-ratio bucket: does the RM get the clear-cut pairs more often right?
        double[] edges = {1, 2, 3, 5, 10, Double.POSITIVE_INFINITY};
        int[] bucketN = new int[edges.length - 1];
        int[] bucketRight = new int[edges.length - 1];
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < pairs.size(); from += cfg.batchSize()) {
                List<Pair> batch = pairs.subList(from, Math.min(pairs.size(), from + cfg.batchSize()));
                try (NDManager scope = rm.manager().newSubManager(rm.device())) {
                    NDArray[] rw = rewards(rm, scope, batch, tok.eosId(), false);
                    lossSum += loss(rw[0], rw[1], margins(scope, batch, cfg.useMargin()), 0).getFloat() * batch.size();
                    float[] c = rw[0].toFloatArray(), r = rw[1].toFloatArray();
                    for (int i = 0; i < batch.size(); i++) {
                        boolean right = c[i] > r[i];
                        correct += right ? 1 : 0;
                        sum += c[i] + r[i];
                        sq += c[i] * c[i] + r[i] * r[i];
                        int b = bucket(batch.get(i).ratio(), edges);
                        if (b >= 0) {
                            bucketN[b]++;
                            bucketRight[b] += right ? 1 : 0;
                        }
                        if (gold != null) {
                            Comparison src = batch.get(i).source();
                            double gc = gold.score(src.prompt(), src.chosen()), gr = gold.score(src.prompt(), src.rejected());
                            if (gc != gr) {
                                goldCount++;
                                goldAgree += (c[i] > r[i]) == (gc > gr) ? 1 : 0;
                            }
                        }
                    }
                }
            }
        }
        int n = pairs.size();
        double mean = sum / (2.0 * n);
        double std = Math.sqrt(Math.max(0, sq / (2.0 * n) - mean * mean));
        StringColumn range = StringColumn.create("score_ratio");
        IntColumn count = IntColumn.create("pairs");
        DoubleColumn acc = DoubleColumn.create("accuracy");
        for (int b = 0; b < bucketN.length; b++) {
            range.append(Double.isInfinite(edges[b + 1]) ? "≥ " + fmt(edges[b]) : fmt(edges[b]) + "–" + fmt(edges[b + 1]));
            count.append(bucketN[b]);
            acc.append(bucketN[b] == 0 ? Double.NaN : (double) bucketRight[b] / bucketN[b]);
        }
        Table byRatio = Table.create("reward model accuracy by upvote ratio", range, count, acc);
        return new Evaluation(lossSum / n, correct / n, goldCount == 0 ? Double.NaN : goldAgree / goldCount, mean, std, byRatio);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static int bucket(double ratio, double[] edges) {
        if (!Double.isFinite(ratio)) return -1;
        for (int b = 0; b < edges.length - 1; b++) if (ratio >= edges[b] && ratio < edges[b + 1]) return b;
        return -1;
    }

    /** Rewards of chosen and rejected, each {@code [B]}, from one forward pass over the 2B sequences. */
    static NDArray[] rewards(ScoreModel rm, NDManager scope, List<Pair> batch, int pad, boolean train) {
        List<Sequences.Seq> seqs = new ArrayList<>(2 * batch.size());
        for (Pair p : batch) seqs.add(p.chosen());
        for (Pair p : batch) seqs.add(p.rejected());
        NDArray ids = Sequences.ids(scope, seqs, Math.max(pad, 0));
        NDArray all = rm.sequenceScores(ids, null, Sequences.lastIndex(seqs), train);
        int b = batch.size();
        return new NDArray[] {all.get("0:" + b), all.get(b + ":")};
    }

    private static NDArray margins(NDManager scope, List<Pair> batch, boolean use) {
        float[] m = new float[batch.size()];
        if (use) for (int i = 0; i < m.length; i++) m[i] = Double.isFinite(batch.get(i).margin()) ? (float) batch.get(i).margin() : 0f;
        return scope.create(m);
    }

    /** The comparisons as scored: prompt ids, then the chosen (or rejected) reply's ids with its end. */
    static List<Pair> tokenize(Turns turns, List<Comparison> comparisons, int blockSize, int maxResponse) {
        List<Pair> out = new ArrayList<>(comparisons.size());
        for (Comparison c : comparisons) {
            double ratio = c.scoreRejected() > 0 ? c.scoreChosen() / c.scoreRejected() : Double.NaN;
            out.add(new Pair(Sequences.join(turns, c.prompt(), c.chosen(), blockSize, maxResponse),
                    Sequences.join(turns, c.prompt(), c.rejected(), blockSize, maxResponse), c.margin(), ratio, c));
        }
        return out;
    }
}
