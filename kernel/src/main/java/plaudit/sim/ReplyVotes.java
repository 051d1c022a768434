package plaudit.sim;

import plaudit.UserError;
import plaudit.data.Comparison;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The synthetic forum's readers voting on replies that a model wrote: what a product logs when its users thumb the
 * model's replies up or down, turned into comparisons for the reward model.
 *
 * <p>Why: the forum's comparisons are between human replies, while PPO asks the reward model about the SFT model's
 * replies, which look different (shorter, off-topic words, broken phrases). Votes on SFT's own replies put comparisons
 * where PPO starts. They carry the same noise and biases as the forum's votes (charm, length, hype), because the same
 * {@link Voters} cast them: every one of {@code readers} readers drawn from the forum's panel reads every reply on its
 * own (no ranking, no visible score), and a reply's score is its net votes. Two replies to one prompt with different
 * net votes make a comparison; equal net votes are a tie, counted and skipped (as SHP skips pairs below its ratio).
 */
public final class ReplyVotes {
    private final Voters voters;
    private final int readers;
    private final GoldPreference gold = new GoldPreference();

    /**
     * @param config  the forum whose readers vote (its panel, biases and noise)
     * @param readers readers per reply
     */
    public ReplyVotes(ForumConfig config, int readers) {
        if (readers < 1) throw new UserError("reply votes: readers per reply must be >= 1, got " + readers);
        this.voters = new Voters(config);
        this.readers = readers;
    }

    /**
     * The comparisons, ties skipped, and how often the preferred reply also has the higher gold.
     *
     * @param pairs         comparisons built from the votes, one per pair of replies to a prompt with unequal votes
     * @param ties          pairs of replies skipped because their net votes were equal
     * @param goldAgreement share of {@code pairs} whose chosen reply has the higher gold (a gold tie counts half)
     */
    public record Result(List<Comparison> pairs, int ties, double goldAgreement) {}

    /**
     * Votes on {@code perPrompt} replies to each prompt and pairs them.
     *
     * @param prompts   for prompt q, a comparison whose prompt, thread, source and split the new comparisons keep
     * @param replies   {@code perPrompt} consecutive replies per prompt, in the order of {@code prompts}
     * @param seed      seeds the votes
     */
    public Result compare(List<Comparison> prompts, List<String> replies, int perPrompt, long seed) {
        if (perPrompt < 2 || replies.size() != prompts.size() * perPrompt) {
            throw new IllegalArgumentException("reply votes need >= 2 replies per prompt, " + perPrompt + " per prompt for "
                    + prompts.size() + " prompts, got " + replies.size() + " replies");
        }
        List<Voters.Item> items = new ArrayList<>(replies.size());
        double[] g = new double[replies.size()];
        for (int i = 0; i < replies.size(); i++) {
            GoldPreference.Terms t = gold.terms(prompts.get(i / perPrompt).prompt(), replies.get(i));
            g[i] = t.gold();
            items.add(new Voters.Item(0, false, true, t.gold(), t.words(), t.hypeWords()));
        }
        int[] net = voters.judge(items, readers, new SplittableRandom(Draw.mix(seed, -2)));
        List<Comparison> out = new ArrayList<>();
        int ties = 0;
        double agree = 0;
        for (int q = 0; q < prompts.size(); q++) {
            Comparison at = prompts.get(q);
            for (int x = q * perPrompt; x < (q + 1) * perPrompt; x++) {
                for (int y = x + 1; y < (q + 1) * perPrompt; y++) {
                    if (net[x] == net[y]) {
                        ties++;
                        continue;
                    }
                    int c = net[x] > net[y] ? x : y, r = c == x ? y : x;
                    out.add(new Comparison(at.prompt(), replies.get(c), replies.get(r), net[c], net[r], at.threadId(),
                            at.source(), at.split(), Double.NaN));
                    agree += g[c] > g[r] ? 1 : g[c] == g[r] ? 0.5 : 0;
                }
            }
        }
        return new Result(out, ties, out.isEmpty() ? Double.NaN : agree / out.size());
    }
}
