package plaudit.sim;

import org.junit.jupiter.api.Test;
import plaudit.UserError;
import plaudit.data.Comparison;
import plaudit.data.Split;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forum's readers voting on a model's replies: comparisons that follow gold through the voters' noise. */
class ReplyVotesTest {
    private static final String PROMPT = "how do i sear a crispy steak?\n"
            + "i have been trying to sear my steak for a week. every time i sear it the steak ends up soggy.";
    private static final String HELPFUL = " first season the steak, then sear the steak in a skillet. make sure the "
            + "butter is not too salty because the crust gets soggy.";
    private static final String OFF_TOPIC = " first tighten the chain, then lube the derailleur. make sure the tire is "
            + "not too flat because the brake gets squeaky.";
    private static final ForumConfig FORUM = ForumConfig.builder().threads(10).seed(5).build();

    /** {@code n} prompts, each answered by the helpful reply, the off-topic one and the helpful one again. */
    private static List<String> replies(int n) {
        List<String> r = new ArrayList<>();
        for (int i = 0; i < n; i++) r.addAll(List.of(HELPFUL, OFF_TOPIC, HELPFUL));
        return r;
    }

    private static List<Comparison> prompts(int n) {
        List<Comparison> p = new ArrayList<>();
        for (int i = 0; i < n; i++) p.add(new Comparison(PROMPT, "a", "b", 5, 1, "t" + i, "reddit", Split.TRAIN, Double.NaN));
        return p;
    }

    @Test
    void everyPairOfRepliesIsACountedTieOrAComparisonTheVotesOrder() {
        ReplyVotes.Result r = new ReplyVotes(FORUM, 30).compare(prompts(40), replies(40), 3, 7);
        assertEquals(40 * 3, r.pairs().size() + r.ties(), "three pairs per prompt");
        for (Comparison c : r.pairs()) {
            assertTrue(c.scoreChosen() > c.scoreRejected(), "chosen has more net votes: " + c);
            assertEquals(PROMPT, c.prompt());
            assertEquals(Split.TRAIN, c.split());
        }
        Map<String, Long> perThread = r.pairs().stream()
                .collect(Collectors.groupingBy(Comparison::threadId, Collectors.counting()));
        assertTrue(perThread.values().stream().allMatch(k -> k <= 3), "each keeps its own prompt's thread: " + perThread);
        assertEquals(r, new ReplyVotes(FORUM, 30).compare(prompts(40), replies(40), 3, 7), "seeded");
    }

    @Test
    void votesFollowGoldAndMoreReadersFollowItCloser() {
        // helpful vs off-topic: gold prefers the helpful reply by far; the comparisons between the two helpful
        // copies are coin flips by charm, which count half against gold either way
        ReplyVotes.Result few = new ReplyVotes(FORUM, 1).compare(prompts(200), replies(200), 3, 7);
        ReplyVotes.Result many = new ReplyVotes(FORUM, 30).compare(prompts(200), replies(200), 3, 7);
        long helpfulWins = many.pairs().stream().filter(c -> c.chosen().equals(HELPFUL) && c.rejected().equals(OFF_TOPIC)).count();
        long offTopicWins = many.pairs().stream().filter(c -> c.chosen().equals(OFF_TOPIC)).count();
        assertTrue(helpfulWins > 3 * offTopicWins, helpfulWins + " vs " + offTopicWins);
        assertTrue(many.goldAgreement() > few.goldAgreement(), many.goldAgreement() + " vs " + few.goldAgreement());
        assertTrue(few.ties() > many.ties(), "one reader leaves most pairs tied: " + few.ties() + " vs " + many.ties());
    }

    @Test
    void refusesRepliesThatDoNotMatchThePrompts() {
        assertThrows(IllegalArgumentException.class, () -> new ReplyVotes(FORUM, 30).compare(prompts(2), replies(2), 2, 7));
        assertThrows(UserError.class, () -> new ReplyVotes(FORUM, 0));
    }
}
