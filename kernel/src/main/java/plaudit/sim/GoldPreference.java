package plaudit.sim;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import plaudit.data.RewardFunction;

/**
 * The synthetic forum's true preference ("gold"): a fixed, documented function of (prompt, response) that scores any
 * text, including the garbage an over-optimised policy writes. Upvotes are noisy, biased readings of it, so every
 * stage of Plaudit can be measured against it.
 *
 * <p>The prompt is only used through word statistics, so any formatting of the post's title and body works: its
 * <b>topic</b> {@code k} is the topic with the most content words in the prompt (ties go to the earlier topic in
 * {@link ForumLanguage#topics()}; with no content words there is no topic and the two relevance terms are 0).
 * Words of the response are lower-cased runs of letters (inner apostrophes kept), {@code n} of them. Then
 * <pre>
 *   rel   = 1.2 * tanh((d_on + echo) / 4)            d_on: distinct words of topic k; echo: those also in the prompt
 *   top   = 0.8 * (on - off) / (on + off + 2)         on / off: words of topic k / of any other topic
 *   help  = 0.45 * ln(1 + h)                          h: distinct helpful markers ("try", "because", "first",
 *                                                       "then", "in my experience", "make sure", ...)
 *   len   = 1.2 * x * e^(1 - x) - 0.8,  x = n / 30    -0.8 when empty, peak +0.4 at 30 words, falls past it
 *   rep   = -3 * (1 - distinct trigrams / trigrams)   unigrams when n = 2, 0 when n < 2
 *   hype  = -0.3 * ln(1 + y)                          y: hype words ("amazing", "lol", "upvote", ...)
 *   junk  = -2.5 * j                                  j: share of whitespace-separated chunks holding a word not in
 *                                                       the forum's lexicon or a character other than letters and
 *                                                       . , ! ? ; : ' " ( ) -
 *   gram  = -1.5 * (1 - g)                            g: share of adjacent token pairs the language's sentences can
 *                                                       produce ({@link ForumLanguage#grammaticality}); word salad
 *                                                       made of on-topic words and markers is not an answer
 *   gold  = 3 * tanh((rel + top + help + len + rep + hype + junk + gram) / 3)      in (-3, 3)
 * </pre>
 * Helpfulness and relevance have diminishing returns; length has a sweet spot (voters, by contrast, like length
 * monotonically and like hype: that gap is what a reward model trained on upvotes can be pushed into).
 * Deterministic (StrictMath, so identical on every platform), stateless and thread-safe.
 */
public final class GoldPreference implements RewardFunction {

    /** Length with the highest length term, in words. */
    public static final double SWEET_SPOT_WORDS = 30;
    /** Characters besides letters that plain forum text may hold. */
    private static final String PUNCTUATION = ".,!?;:'\"()-";

    private final ForumLanguage lang;

    public GoldPreference() {
        this(ForumLanguage.standard());
    }

    public GoldPreference(ForumLanguage lang) {
        this.lang = lang;
    }

    /** Every term of the formula for one (prompt, response), for tables and debugging. */
    public record Terms(String topic, int words, int hypeWords, double relevance, double topicality,
                        double helpfulness, double length, double repetition, double hype, double junk,
                        double grammar, double gold) {}

    @Override
    public double score(String prompt, String response) {
        return terms(prompt, response).gold();
    }

    @Override
    public String name() {
        return "gold";
    }

    /** The prompt's topic (index into {@link ForumLanguage#topics()}), or -1 when it has no content words. */
    public int topicOf(String prompt) {
        return topicOf(ForumLanguage.words(prompt == null ? "" : prompt));
    }

    private int topicOf(List<String> promptWords) {
        int[] counts = new int[lang.topics().size()];
        for (String w : promptWords) {
            int t = lang.topicOf(w);
            if (t >= 0) counts[t]++;
        }
        int best = -1;
        for (int t = 0; t < counts.length; t++) if (counts[t] > 0 && (best < 0 || counts[t] > counts[best])) best = t;
        return best;
    }

    public Terms terms(String prompt, String response) {
        prompt = prompt == null ? "" : prompt;
        response = response == null ? "" : response;
        List<String> p = ForumLanguage.words(prompt);
        int topic = topicOf(p);
        Set<String> promptWords = new HashSet<>(p);
        List<String> w = ForumLanguage.words(response);
        int n = w.size();

        int on = 0, off = 0, hype = 0;
        Set<String> distinctOn = new HashSet<>();
        for (String word : w) {
            int t = lang.topicOf(word);
            if (topic >= 0 && t == topic) {
                on++;
                distinctOn.add(word);
            } else if (topic >= 0 && t >= 0) {
                off++;
            }
            if (lang.isHype(word)) hype++;
        }
        int echo = 0;
        for (String word : distinctOn) if (promptWords.contains(word)) echo++;

        double rel = 1.2 * StrictMath.tanh((distinctOn.size() + echo) / 4.0);
        double top = 0.8 * (on - off) / (on + off + 2.0);
        double help = 0.45 * StrictMath.log1p(helpfulMarkers(w));
        double x = n / SWEET_SPOT_WORDS;
        double len = 1.2 * x * StrictMath.exp(1 - x) - 0.8;
        // penalties as 0 - x, so that a zero penalty is +0.0 rather than -0.0 in tables
        double rep = 0 - 3.0 * repetition(w);
        double hyp = 0 - 0.3 * StrictMath.log1p(hype);
        double junk = 0 - 2.5 * junkShare(response);
        double gram = 0 - 1.5 * (1 - lang.grammaticality(response));
        double raw = rel + top + help + len + rep + hyp + junk + gram;
        double gold = 3.0 * StrictMath.tanh(raw / 3.0);
        String topicName = topic < 0 ? "" : lang.topics().get(topic).subreddit();
        return new Terms(topicName, n, hype, rel, top, help, len, rep, hyp, junk, gram, gold);
    }

    /** How many distinct helpful markers occur in the word sequence. */
    private int helpfulMarkers(List<String> w) {
        int h = 0;
        for (List<String> marker : lang.helpfulMarkers()) {
            if (containsPhrase(w, marker)) h++;
        }
        return h;
    }

    private static boolean containsPhrase(List<String> w, List<String> phrase) {
        outer:
        for (int i = 0; i + phrase.size() <= w.size(); i++) {
            for (int j = 0; j < phrase.size(); j++) if (!w.get(i + j).equals(phrase.get(j))) continue outer;
            return true;
        }
        return false;
    }

    /** Share of repeated n-grams: trigrams, or unigrams for two-word texts. */
    static double repetition(List<String> w) {
        int n = w.size();
        if (n < 2) return 0;
        int order = n >= 3 ? 3 : 1;
        int total = n - order + 1;
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < total; i++) distinct.add(String.join(" ", w.subList(i, i + order)));
        return 1.0 - (double) distinct.size() / total;
    }

    /** Share of whitespace-separated chunks that are not plain forum language. */
    private double junkShare(String response) {
        String s = response.toLowerCase(Locale.ROOT);
        int n = s.length(), total = 0, bad = 0, i = 0;
        while (i < n) {
            if (Character.isWhitespace(s.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            boolean clean = true;
            while (i < n && !Character.isWhitespace(s.charAt(i))) {
                if (!ForumLanguage.isLetter(s.charAt(i)) && PUNCTUATION.indexOf(s.charAt(i)) < 0) clean = false;
                i++;
            }
            total++;
            if (!clean || !lang.lexicon().containsAll(ForumLanguage.words(s.substring(start, i)))) bad++;
        }
        return total == 0 ? 0 : (double) bad / total;
    }
}
