package plaudit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import plaudit.UserError;
import plaudit.data.Comparison;
import plaudit.model.Gpt;
import plaudit.model.NoGrad;
import plaudit.report.MetricsLog;
import plaudit.report.Progress;
import plaudit.text.Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Supervised fine-tuning on (post → top-voted reply): next-token loss on the reply tokens only (the post is context,
 * not something to imitate), reply followed by end-of-text so the policy learns to stop.
 */
public final class SftTrainer {

    /** A demonstration: the reply to imitate for a prompt. */
    public record Example(String prompt, String response) {
    }

    /**
     * @param steps       optimizer steps
     * @param batchSize   examples per step
     * @param lr          peak learning rate (cosine to lr/10 after warmup)
     * @param warmup      warmup steps
     * @param weightDecay AdamW weight decay
     * @param gradClip    max gradient norm
     * @param maxResponse most reply tokens kept
     * @param evalEvery   validation interval in steps (and at the end)
     * @param seed        batch order and dropout
     */
    public record Config(int steps, int batchSize, double lr, int warmup, double weightDecay, double gradClip,
                         int maxResponse, int evalEvery, long seed) {
        public Config {
            if (steps <= 0 || batchSize <= 0) throw new UserError("sft: steps and batch must be positive");
        }

        public static Config defaults(int steps) {
            return new Config(steps, 16, 3e-4, Math.max(1, steps / 10), 0.0, 1.0, 64, 50, 1);
        }
    }

    private SftTrainer() {
    }

    /**
     * One demonstration per thread: its highest-scored reply among all replies that appear in the comparisons
     * (the "top-voted reply" of Stiennon et al.'s SFT data).
     */
    public static List<Example> topReplies(List<Comparison> comparisons) {
        Map<String, Comparison> best = new LinkedHashMap<>();
        Map<String, Double> bestScore = new LinkedHashMap<>();
        Map<String, String> bestText = new LinkedHashMap<>();
        for (Comparison c : comparisons) {
            consider(c, c.chosen(), c.scoreChosen(), best, bestScore, bestText);
            consider(c, c.rejected(), c.scoreRejected(), best, bestScore, bestText);
        }
        List<Example> out = new ArrayList<>();
        best.forEach((thread, c) -> out.add(new Example(c.prompt(), bestText.get(thread))));
        return out;
    }

    private static void consider(Comparison c, String text, double score, Map<String, Comparison> best,
                                 Map<String, Double> bestScore, Map<String, String> bestText) {
        double s = Double.isNaN(score) ? Double.NEGATIVE_INFINITY : score;
        Double prev = bestScore.get(c.threadId());
        if (prev == null || s > prev) {
            best.put(c.threadId(), c);
            bestScore.put(c.threadId(), s);
            bestText.put(c.threadId(), text);
        }
    }

    /** Trains in place; returns the final held-out loss on the reply tokens. */
    public static double train(Gpt model, Tokenizer tok, List<Example> train, List<Example> val, Config cfg,
                               MetricsLog log) {
        if (train.isEmpty()) throw new UserError("sft: no training examples");
        int blockSize = model.config().blockSize();
        List<Sequences.Seq> trainSeqs = tokenize(tok, train, blockSize, cfg.maxResponse());
        List<Sequences.Seq> valSeqs = tokenize(tok, val.isEmpty() ? train : val, blockSize, cfg.maxResponse());
        model.setTrainable(true);
        AdamW opt = AdamW.of(model.parameters(), cfg.weightDecay());
        LrSchedule schedule = new LrSchedule(cfg.lr(), cfg.lr() / 10, cfg.warmup(), cfg.steps());
        Engine.getEngine("PyTorch").setRandomSeed((int) cfg.seed());
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        int pad = Math.max(0, tok.eosId());
        double valLoss = Double.NaN;
        try (Progress bar = new Progress("sft", cfg.steps())) {
            for (int step = 0; step < cfg.steps(); step++) {
                List<Sequences.Seq> batch = new ArrayList<>();
                for (int i = 0; i < cfg.batchSize(); i++) batch.add(trainSeqs.get(rng.nextInt(trainSeqs.size())));
                double lr = schedule.at(step);
                TrainStep.Result r;
                try (NDManager scope = model.manager().newSubManager(model.device())) {
                    r = TrainStep.run(scope, opt, lr, cfg.gradClip(), 1, step, micro -> {
                        NDArray[] xym = Sequences.responseTargets(scope, batch, pad);
                        return model.loss(xym[0], xym[1], xym[2], true);
                    });
                }
                boolean last = step == cfg.steps() - 1;
                boolean eval = last || (cfg.evalEvery() > 0 && (step + 1) % cfg.evalEvery() == 0);
                if (eval) valLoss = evaluate(model, valSeqs, pad, cfg.batchSize());
                Map<String, Number> row = new LinkedHashMap<>();
                row.put("step", step + 1);
                row.put("loss", r.loss());
                row.put("val_loss", eval ? valLoss : Double.NaN);
                row.put("lr", lr);
                row.put("grad_norm", r.gradNorm());
                log.log(row);
                bar.set("loss", r.loss()).set("val", valLoss);
                bar.step();
            }
        }
        model.setTrainable(false);
        return valLoss;
    }

    static double evaluate(Gpt model, List<Sequences.Seq> seqs, int pad, int batchSize) {
        double sum = 0;
        int n = 0;
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < seqs.size() && from < 512; from += batchSize) {
                List<Sequences.Seq> batch = seqs.subList(from, Math.min(seqs.size(), from + batchSize));
                try (NDManager scope = model.manager().newSubManager(model.device())) {
                    NDArray[] xym = Sequences.responseTargets(scope, batch, pad);
                    sum += model.loss(xym[0], xym[1], xym[2], false).getFloat() * batch.size();
                    n += batch.size();
                }
            }
        }
        return sum / n;
    }

    static List<Sequences.Seq> tokenize(Tokenizer tok, List<Example> examples, int blockSize, int maxResponse) {
        List<Sequences.Seq> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            out.add(Sequences.join(tok.encode(e.prompt()), RewardTrainer.withEos(tok, e.response()), blockSize, maxResponse));
        }
        return out;
    }
}
