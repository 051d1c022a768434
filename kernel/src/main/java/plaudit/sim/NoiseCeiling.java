package plaudit.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * How often upvotes agree with gold on SHP-style pairs — the best accuracy a reward model trained on those pairs can
 * hope to reach against gold.
 *
 * <p>Pairs follow SHP (Ethayarajh et al. 2022): two top-level comments of the same post, neither deleted, removed or
 * by AutoModerator, each with score &ge; {@value #MIN_COMMENT_SCORE}, on a live post with score &ge;
 * {@value #MIN_POST_SCORE}; the higher-scored one is preferred when the score ratio is &ge; {@value #MIN_RATIO}, and
 * (the time rule) only when it was written later, so that its head start cannot explain its score. A pair agrees
 * when the preferred comment also has the higher gold (a gold tie counts one half).
 *
 * @param pairs                 SHP pairs, time rule included
 * @param agreement             share of them on which gold agrees with upvotes
 * @param pairsNoTimeRule       pairs under the same rules without the time rule
 * @param agreementNoTimeRule   agreement on those
 */
public record NoiseCeiling(int pairs, double agreement, int pairsNoTimeRule, double agreementNoTimeRule) {

    public static final int MIN_POST_SCORE = 10;
    public static final int MIN_COMMENT_SCORE = 2;
    public static final double MIN_RATIO = 2.0;

    public static NoiseCeiling of(Forum forum) {
        int pairs = 0, pairsAll = 0;
        double agree = 0, agreeAll = 0;
        for (ForumThread thread : forum.threads()) {
            Post post = thread.post();
            if (post.status() != Post.Status.LIVE || post.score() < MIN_POST_SCORE) continue;
            List<Comment> eligible = new ArrayList<>();
            for (Comment c : thread.comments()) {
                if (c.topLevel() && !c.automod() && c.status() == Post.Status.LIVE && c.score() >= MIN_COMMENT_SCORE) {
                    eligible.add(c);
                }
            }
            for (int i = 0; i < eligible.size(); i++) {
                for (int j = i + 1; j < eligible.size(); j++) {
                    Comment a = eligible.get(i), b = eligible.get(j);
                    Comment preferred = a.score() >= b.score() ? a : b;
                    Comment other = preferred == a ? b : a;
                    if (preferred.score() < MIN_RATIO * other.score()) continue;
                    double agrees = preferred.gold() > other.gold() ? 1 : preferred.gold() == other.gold() ? 0.5 : 0;
                    pairsAll++;
                    agreeAll += agrees;
                    if (preferred.createdUtc() > other.createdUtc()) {
                        pairs++;
                        agree += agrees;
                    }
                }
            }
        }
        return new NoiseCeiling(pairs, pairs == 0 ? Double.NaN : agree / pairs,
                pairsAll, pairsAll == 0 ? Double.NaN : agreeAll / pairsAll);
    }
}
