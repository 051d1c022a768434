package plaudit.train;

import plaudit.model.CausalLm;
import plaudit.model.Generation;
import plaudit.model.Generator;
import plaudit.model.SamplingConfig;
import plaudit.report.Progress;
import plaudit.text.Turns;

import java.util.ArrayList;
import java.util.List;

/**
 * Sampled responses as text, aligned with their prompts (prompt-major: all samples of the first prompt, then the
 * next). Used to evaluate a policy by gold, to re-centre a reward model and for best-of-n.
 */
public record Completions(List<String> prompts, List<String> responses) {

    /** Rows sampled (or evaluated) at once: bounds the logits and KV cache held in memory. */
    public static final int BATCH = 64;

    /**
     * {@code perPrompt} samples per prompt at {@code temperature}, at most {@code maxTokens} each; prompts longer than
     * the context allows lose their beginning. Prompts are asked and replies read by {@code turns}. Batched
     * {@link #BATCH} rows at a time.
     */
    public static Completions sample(CausalLm model, Turns turns, List<String> prompts, int perPrompt, int maxTokens,
                                     double temperature, long seed) {
        List<String> ps = new ArrayList<>(), rs = new ArrayList<>();
        int maxPrompt = model.contextLength() - maxTokens;
        List<int[]> ids = new ArrayList<>();
        for (String p : prompts) {
            int[] e = turns.promptIds(p, maxPrompt);
            for (int k = 0; k < perPrompt; k++) {
                ids.add(e);
                ps.add(p);
            }
        }
        // thousands of responses (best-of-n, votes on SFT's replies) take minutes on a CPU: show how far along it is
        try (Progress bar = new Progress("sample", ids.size())) {
            for (int from = 0; from < ids.size(); from += BATCH) {
                Generation g = Generator.generate(model, ids.subList(from, Math.min(ids.size(), from + BATCH)),
                        new SamplingConfig(maxTokens, temperature, 0, 1.0, turns.tokenizer().eosId(), seed + from),
                        turns.stopIds(), true);
                for (int i = 0; i < g.tokens().length; i++) rs.add(turns.replyText(g.tokens()[i], g.endedWithEos()[i]));
                bar.advance(g.tokens().length);
            }
        }
        return new Completions(ps, rs);
    }
}
