package plaudit.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GoldPreferenceTest {

    private static final String PROMPT = "how do i sear a crispy steak?\n"
            + "i have been trying to sear my steak for a week. every time i sear it the steak ends up soggy.";
    private static final String HELPFUL = "first season the steak, then sear the steak in a skillet. make sure the "
            + "butter is not too salty because the crust gets soggy.";

    private final GoldPreference gold = new GoldPreference();

    @Test
    void onTopicHelpfulReplyBeatsOffTopicReply() {
        String offTopic = "first tighten the chain, then lube the derailleur. make sure the tire is not too flat "
                + "because the brake gets squeaky.";
        assertTrue(gold.score(PROMPT, HELPFUL) > gold.score(PROMPT, offTopic) + 1.0);
        assertTrue(gold.terms(PROMPT, offTopic).topicality() < 0);
    }

    @Test
    void helpfulMarkersHelpWithDiminishingReturns() {
        double none = gold.terms(PROMPT, "sear the steak").helpfulness();
        double one = gold.terms(PROMPT, "try to sear the steak").helpfulness();
        double two = gold.terms(PROMPT, "try to sear the steak because it helps").helpfulness();
        double three = gold.terms(PROMPT, "first try to sear the steak because it helps").helpfulness();
        assertEquals(0, none);
        assertTrue(one > none && two > one && three > two);
        assertTrue(two - one < one - none && three - two < two - one);
    }

    @Test
    void repetitionIsPenalised() {
        String once = "season the steak with salt and sear it in a hot skillet.";
        assertTrue(gold.score(PROMPT, once + " " + once + " " + once) < gold.score(PROMPT, once) - 1.0);
        assertTrue(gold.score(PROMPT, "steak ".repeat(20)) < gold.score(PROMPT, "steak"));
    }

    @Test
    void lengthHasASweetSpot() {
        double[] len = new double[5];
        int[] words = {0, 10, 30, 60, 120};
        for (int i = 0; i < words.length; i++) len[i] = gold.terms(PROMPT, distinctWords(words[i])).length();
        assertTrue(len[0] < len[1] && len[1] < len[2], "rises to the sweet spot");
        assertTrue(len[2] > len[3] && len[3] > len[4], "falls past it");
        // diminishing returns below the sweet spot: the first 10 words gain more than the next 20 per word
        assertTrue((len[1] - len[0]) / 10 > (len[2] - len[1]) / 20);
    }

    @Test
    void isFiniteAndBoundedOnAnything() {
        SplittableRandom rng = new SplittableRandom(3);
        StringBuilder noise = new StringBuilder();
        for (int i = 0; i < 500; i++) noise.append((char) rng.nextInt(0x20, 0x3000));
        String[] responses = {"", "   ", null, "\n\n\t", "<|endoftext|>", "ステーキ", "1234 $$$ ###", noise.toString(),
                "the ".repeat(5000), HELPFUL.repeat(50), "'''", "don't-don't'", "\u0000\uFFFF"};
        String[] prompts = {PROMPT, "", null, "no topic words at all", noise.toString()};
        for (String p : prompts) {
            for (String r : responses) {
                double s = gold.score(p, r);
                assertTrue(Double.isFinite(s) && s > -3 && s < 3, "gold(" + p + ", " + r + ") = " + s);
            }
        }
    }

    @Test
    void wordSaladIsNotAnAnswer() {
        List<String> words = new ArrayList<>(ForumLanguage.words(HELPFUL));
        Collections.shuffle(words, new Random(1));
        String salad = String.join(" ", words);
        assertTrue(gold.terms(PROMPT, salad).grammar() < -0.5, salad);
        assertTrue(gold.score(PROMPT, salad) < gold.score(PROMPT, HELPFUL) - 0.5, salad);
        String stuffed = "first try because then check instead make sure steak skillet butter sear crispy soggy salt";
        assertTrue(gold.score(PROMPT, stuffed) < gold.score(PROMPT, HELPFUL) - 0.5, stuffed);
    }

    @Test
    void junkAndHypeArePenalised() {
        assertTrue(gold.score(PROMPT, HELPFUL + " zq9x $$$ ###") < gold.score(PROMPT, HELPFUL) - 0.1);
        assertTrue(gold.score(PROMPT, "zq9x $$$ ### steakk") < gold.score(PROMPT, "") - 1.0, "garbage is worse than nothing");
        double hype = gold.score(PROMPT, HELPFUL + " lol amazing!");
        assertTrue(hype < gold.score(PROMPT, HELPFUL), "hype lowers gold");
        assertTrue(hype > gold.score(PROMPT, HELPFUL) - 0.5, "but only slightly");
    }

    @Test
    void topicComesFromWordStatisticsWhateverTheFormat() {
        int cooking = ForumLanguage.standard().topics().indexOf(ForumLanguage.standard().topic("cooking"));
        assertEquals(cooking, gold.topicOf(PROMPT));
        assertEquals(cooking, gold.topicOf("[r/Cooking] TITLE: How do I SEAR a steak?\n\nBODY: it ends up soggy"));
        assertEquals(cooking, gold.topicOf("Human: my steak is soggy, i use a skillet. fix my chain?\n\nAssistant:"));
        assertEquals(-1, gold.topicOf("what should i do?"));
        // same words, different wrapping: same gold
        assertEquals(gold.score(PROMPT, HELPFUL), gold.score("Question: " + PROMPT.toUpperCase() + "\nAnswer:", HELPFUL));
    }

    @Test
    void everyGeneratedTextIsPlainForumLanguage() {
        TextGenerator text = new TextGenerator(ForumLanguage.standard());
        SplittableRandom rng = new SplittableRandom(5);
        for (Topic topic : ForumLanguage.standard().topics()) {
            for (int i = 0; i < 50; i++) {
                TextGenerator.PostText post = text.post(topic, rng);
                String prompt = post.title() + "\n" + post.body();
                assertEquals(topic.subreddit(), gold.terms(prompt, "").topic(), prompt);
                for (ReplyStyle style : ReplyStyle.values()) {
                    String reply = text.reply(topic, post.focal(), style, rng);
                    assertEquals(0, gold.terms(prompt, reply).junk(), reply);
                    assertEquals(0, gold.terms(prompt, reply).grammar(), reply);
                }
                assertEquals(0, gold.terms(prompt, text.opReply(topic, post.focal(), rng)).junk());
            }
        }
    }

    /** {@code n} on-topic words (the length term only counts them). */
    private static String distinctWords(int n) {
        Topic cooking = ForumLanguage.standard().topic("cooking");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(cooking.words().get(i % cooking.words().size())).append(' ');
        return sb.toString();
    }
}
