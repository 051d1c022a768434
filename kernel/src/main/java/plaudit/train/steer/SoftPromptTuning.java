package plaudit.train.steer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import plaudit.model.Gpt;
import plaudit.model.NoGrad;
import plaudit.report.Progress;
import plaudit.train.AdamW;
import plaudit.train.TrainStep;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Soft prompt tuning (Lester et al. 2021) with frozen weights: k vectors in the token-embedding space, placed before
 * every prompt, trained by Adam on {@code −log p(target | soft prompt, prompt)} averaged over a batch of prompts. The
 * model is set untrainable, so the gradient reaches only the k × n_embd array.
 */
public final class SoftPromptTuning {
    private SoftPromptTuning() {
    }

    /**
     * The trained soft prompt {@code [k, C]}, owned by {@code owner}. Leaves {@code model} frozen
     * ({@link Gpt#setTrainable} false) and its weights untouched.
     *
     * @param prompts non-empty token ids of the training prompts
     */
    public static NDArray train(Gpt model, List<int[]> prompts, int[] target, SteerConfig cfg, NDManager owner) {
        model.setTrainable(false);
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        try (NDManager work = model.manager().newSubManager()) {
            NDArray soft = init(model, cfg.softTokens(), rng, work);
            soft.setRequiresGradient(true);
            AdamW adam = new AdamW(Map.of("soft_prompt", soft), 0.9, 0.999, 1e-8, 0); // plain Adam: no decay
            try (Progress bar = new Progress("soft prompt", cfg.steps())) {
                for (int step = 0; step < cfg.steps(); step++) {
                    List<int[]> batch = batch(prompts, cfg.batchSize(), rng);
                    try (NDManager scope = work.newSubManager()) {
                        TrainStep.Result r = TrainStep.run(scope, adam, cfg.lr(), 0, 1, step + 1, i ->
                                SteerBatch.of(scope, batch, target, cfg.softTokens(), cfg.position(), model.config().blockSize())
                                        .targetLogProbs(model, soft).mean().neg());
                        bar.set("loss", r.loss()).set("p", Math.exp(-r.loss()));
                    }
                    bar.step();
                }
            }
            try (NoGrad ignored = NoGrad.enter()) {
                NDArray learned = soft.duplicate(); // outside autograd: a plain array the caller owns
                learned.attach(owner);
                return learned;
            }
        }
    }

    /** Starts from the embeddings of k random tokens: vectors of the scale the model expects (Lester et al. §3.2). */
    private static NDArray init(Gpt model, int k, SplittableRandom rng, NDManager work) {
        long[] ids = new long[k];
        for (int i = 0; i < k; i++) ids[i] = rng.nextInt(model.config().vocabSize());
        try (NoGrad ignored = NoGrad.enter()) {
            NDArray rows = model.embedTokens(work.create(ids, new Shape(1, k))).reshape(k, model.config().nEmbd());
            return rows.duplicate();
        }
    }

    /** All prompts when they fit one batch, else {@code size} drawn without replacement. */
    static List<int[]> batch(List<int[]> prompts, int size, SplittableRandom rng) {
        if (prompts.size() <= size) return prompts;
        List<int[]> pool = new ArrayList<>(prompts), out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) out.add(pool.remove(rng.nextInt(pool.size())));
        return out;
    }
}
