package plaudit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * Supervised fine-tuning on (post → top-voted reply): next-token loss on the reply tokens only (the post is context,
 * not something to imitate), reply followed by end-of-text (or the chat template's end of turn, {@link Turns}) so the
 * policy learns to stop.
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
    public static double train(CausalLm model, Tokenizer tok, List<Example> train, List<Example> val, Config cfg,
                               MetricsLog log) {
        return train(model, tok, train, val, cfg, log, SupervisedLoop.Control.NONE);
    }

    /** As {@link #train(CausalLm, Tokenizer, List, List, Config, MetricsLog)}, under {@code control} (hook, checkpoints). */
    public static double train(CausalLm model, Tokenizer tok, List<Example> train, List<Example> val, Config cfg,
                               MetricsLog log, SupervisedLoop.Control control) {
        return train(model, Sequences.plain(tok), train, val, cfg, log, control);
    }

    /** As {@link #train(CausalLm, Tokenizer, List, List, Config, MetricsLog)}, prompts and replies made ids by {@code turns}. */
    public static double train(CausalLm model, Turns turns, List<Example> train, List<Example> val, Config cfg,
                               MetricsLog log, SupervisedLoop.Control control) {
        if (train.isEmpty()) throw new UserError("sft: no training examples");
        int blockSize = model.contextLength();
        List<Sequences.Seq> trainSeqs = tokenize(turns, train, blockSize, cfg.maxResponse());
        List<Sequences.Seq> valSeqs = tokenize(turns, val.isEmpty() ? train : val, blockSize, cfg.maxResponse());
        model.setTrainable(true);
        AdamW opt = AdamW.of(model.parameters(), cfg.weightDecay());
        SupervisedLoop.Settings settings = new SupervisedLoop.Settings("sft", cfg.steps(),
                new LrSchedule(cfg.lr(), cfg.lr() / 10, cfg.warmup(), cfg.steps()), cfg.gradClip(), 1, cfg.evalEvery(),
                cfg.seed(), CheckpointSettings.of(cfg).withChatTemplate(turns.chatTemplate()).withAdapters(model));
        Demonstrations task = new Demonstrations(model, trainSeqs, valSeqs, Math.max(0, turns.tokenizer().eosId()),
                cfg.batchSize());
        double valLoss = SupervisedLoop.run(settings, model, Map.of(), opt, task, log, control).get("val_loss")
                .doubleValue();
        model.setTrainable(false);
        return valLoss;
    }

    /** Next-token loss on the replies of demonstrations drawn with replacement; the held-out loss. */
    private record Demonstrations(CausalLm model, List<Sequences.Seq> train, List<Sequences.Seq> val, int pad,
                                  int batchSize) implements SupervisedLoop.Task<List<Sequences.Seq>> {
        @Override
        public List<Sequences.Seq> draw(SplittableRandom rng) {
            List<Sequences.Seq> batch = new ArrayList<>();
            for (int i = 0; i < batchSize; i++) batch.add(train.get(rng.nextInt(train.size())));
            return batch;
        }

        @Override
        public NDArray loss(NDManager scope, List<Sequences.Seq> batch, int micro, Map<String, Number> metrics) {
            NDArray[] xym = Sequences.responseTargets(scope, batch, pad);
            return model.loss(xym[0], xym[1], xym[2], true);
        }

        @Override
        public List<String> heldOutMetrics() {
            return List.of("val_loss");
        }

        @Override
        public Map<String, Number> evaluate() {
            return Map.of("val_loss", SftTrainer.evaluate(model, val, pad, batchSize));
        }
    }

    static double evaluate(CausalLm model, List<Sequences.Seq> seqs, int pad, int batchSize) {
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

    /** The demonstrations as trained on: prompt ids, then the reply's ids with its end (the loss is on those). */
    static List<Sequences.Seq> tokenize(Turns turns, List<Example> examples, int blockSize, int maxResponse) {
        List<Sequences.Seq> out = new ArrayList<>(examples.size());
        for (Example e : examples) out.add(Sequences.join(turns, e.prompt(), e.response(), blockSize, maxResponse));
        return out;
    }
}
