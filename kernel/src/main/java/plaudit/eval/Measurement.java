package plaudit.eval;

import plaudit.data.RewardFunction;
import plaudit.model.CausalLm;
import plaudit.text.Turns;
import plaudit.train.Completions;
import plaudit.train.pg.Rollout;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A policy measured on held-out prompts: per response, the summed-k1 KL from the reference (the KL of the policy that
 * is evaluated, not of the last training batch), the reward and, when known, gold.
 *
 * @param gold null without a gold preference
 */
public record Measurement(double[] kl, double[] proxy, double[] gold) {

    /**
     * Samples {@code policy} once per entry of {@code prompts} (repeat a prompt for several samples) at temperature 1,
     * in batches of {@link Completions#BATCH} seeded {@code samplingSeed + offset}, as {@link Completions} draws the
     * reference's samples.
     */
    public static Measurement of(String name, CausalLm policy, CausalLm ref, RewardFunction reward, RewardFunction gold,
                                 Turns turns, List<String> prompts, int responseLength, long samplingSeed) {
        Rollout rollout = new Rollout(name, policy, ref, reward, gold, turns, prompts, responseLength, 1.0, 0, 0);
        int n = prompts.size();
        double[] kl = new double[n], proxy = new double[n], goldScores = gold == null ? null : new double[n];
        // in batches: one batch of all ~1200 evaluation responses held several GB of logits
        for (int from = 0; from < n; from += Completions.BATCH) {
            int to = Math.min(n, from + Completions.BATCH);
            Rollout.Episodes ep = rollout.collect(prompts.subList(from, to), samplingSeed + from, 0);
            System.arraycopy(ep.sequenceKl(), 0, kl, from, to - from);
            System.arraycopy(ep.scores(), 0, proxy, from, to - from);
            if (gold != null) System.arraycopy(ep.goldScores(), 0, goldScores, from, to - from);
        }
        return new Measurement(kl, proxy, goldScores);
    }

    /**
     * Records {@code PREFIX_kl}, {@code PREFIX_proxy} (means) and with gold {@code PREFIX_gold},
     * {@code PREFIX_gold_winrate_vs_sft} ({@link WinRate}) and its standard error {@code PREFIX_gold_winrate_se}.
     *
     * @param sftGold   gold of the reference's responses to the same prompts, in the same order
     * @param perPrompt responses per prompt on each side
     */
    public void putInto(Map<String, Double> summary, String prefix, double[] sftGold, int perPrompt) {
        summary.put(prefix + "_kl", mean(kl));
        summary.put(prefix + "_proxy", mean(proxy));
        if (gold != null) {
            summary.put(prefix + "_gold", mean(gold));
            summary.put(prefix + "_gold_winrate_vs_sft", WinRate.winRate(gold, sftGold, perPrompt));
            summary.put(prefix + "_gold_winrate_se", WinRate.winRateStandardError(gold, sftGold, perPrompt));
        }
    }

    public static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElse(Double.NaN);
    }
}
