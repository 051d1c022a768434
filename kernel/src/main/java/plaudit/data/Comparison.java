package plaudit.data;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One preference for reward-model training: {@code chosen} was preferred to {@code rejected} as a reply to
 * {@code prompt}. Responses start with a space so that {@code prompt + chosen} reads as the reply after the cue.
 *
 * @param scoreChosen   the preferred reply's score (NaN when the source has none, written as null); for Hacker News
 *                      minus its display position (-1 is the top comment)
 * @param scoreRejected the other reply's score
 * @param threadId      the thread both replies come from; the split is a function of it
 * @param source        where it came from ({@link Source#key()})
 * @param split         train, val or test
 * @param margin        log score ratio, a per-pair margin for the reward model; NaN when not computed
 */
public record Comparison(String prompt, String chosen, String rejected, double scoreChosen, double scoreRejected,
                         String threadId, String source, Split split, double margin) {

    /** The distinct prompts of {@code pairs}, in order of first appearance, at most {@code max}. */
    public static List<String> prompts(List<Comparison> pairs, int max) {
        LinkedHashSet<String> set = new LinkedHashSet<>();
        for (Comparison c : pairs) {
            if (set.size() >= max) break;
            set.add(c.prompt());
        }
        return new ArrayList<>(set);
    }
}
