package plaudit.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes posts and replies in the {@link ForumLanguage}. A reply is a few sentences drawn by its {@link ReplyStyle}:
 * helpful on-topic sentences, plain on-topic chat, sentences from another topic, filler and hype, sometimes a
 * sentence said twice. All randomness comes from the caller's generator, so text is deterministic per seed.
 */
final class TextGenerator {

    private static final Pattern ARTICLE = Pattern.compile("\\ba ([aeiou])");

    /** The kind of a reply sentence. */
    enum Kind { HELPFUL, PLAIN, OFF_TOPIC, FILLER, HYPE }

    private final ForumLanguage lang;

    TextGenerator(ForumLanguage lang) {
        this.lang = lang;
    }

    /** A post: its title, body and focal noun. */
    record PostText(String title, String body, String focal) {}

    PostText post(Topic topic, SplittableRandom rng) {
        String focal = pick(topic.nouns(), rng);
        String title = fill(pick(lang.titleTemplates, rng), topic, focal, rng);
        int sentences = 2 + rng.nextInt(3);
        List<String> body = new ArrayList<>();
        List<String> templates = new ArrayList<>(lang.bodyTemplates);
        for (int i = 0; i < sentences; i++) {
            body.add(fill(templates.remove(rng.nextInt(templates.size())), topic, focal, rng));
        }
        return new PostText(title, String.join(" ", body), focal);
    }

    /** A reply to a post about {@code focal} in {@code topic}, written in the given style. */
    String reply(Topic topic, String focal, ReplyStyle style, SplittableRandom rng) {
        int n = style.minSentences + rng.nextInt(style.maxSentences - style.minSentences + 1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i > 0 && rng.nextDouble() < style.repeatProb) {
                out.add(out.get(rng.nextInt(out.size())));
                continue;
            }
            String s = sentence(style.kind(rng.nextDouble()), topic, focal, rng);
            if (rng.nextDouble() < style.interjectionProb) s = pick(lang.hypeInterjections, rng) + " " + s;
            out.add(s);
        }
        return String.join(" ", out);
    }

    /** The original poster answering a comment. */
    String opReply(Topic topic, String focal, SplittableRandom rng) {
        return fill(pick(lang.opReplyTemplates, rng), topic, focal, rng);
    }

    String automod(SplittableRandom rng) {
        return pick(lang.automodTemplates, rng);
    }

    private String sentence(Kind kind, Topic topic, String focal, SplittableRandom rng) {
        return switch (kind) {
            case HELPFUL -> fill(pick(lang.helpfulTemplates, rng), topic, focal, rng);
            case PLAIN -> fill(pick(lang.plainTemplates, rng), topic, focal, rng);
            case OFF_TOPIC -> {
                Topic other = topic;
                while (other == topic) other = pick(lang.topics(), rng);
                List<String> templates = rng.nextBoolean() ? lang.helpfulTemplates : lang.plainTemplates;
                yield fill(pick(templates, rng), other, pick(other.nouns(), rng), rng);
            }
            case FILLER -> pick(lang.fillerSentences, rng);
            case HYPE -> pick(lang.hypeSentences, rng);
        };
    }

    /** Fills a template's slots from the topic; {N} avoids repeating the focal noun. */
    String fill(String template, Topic topic, String focal, SplittableRandom rng) {
        Matcher m = ForumLanguage.SLOT.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String word = switch (m.group(1)) {
                case "F" -> focal;
                case "N" -> {
                    String n = pick(topic.nouns(), rng);
                    while (n.equals(focal)) n = pick(topic.nouns(), rng);
                    yield n;
                }
                case "V" -> pick(topic.verbs(), rng);
                default -> pick(topic.adjectives(), rng);
            };
            m.appendReplacement(sb, word);
        }
        m.appendTail(sb);
        return ARTICLE.matcher(sb).replaceAll("an $1");
    }

    private static <T> T pick(List<T> list, SplittableRandom rng) {
        return list.get(rng.nextInt(list.size()));
    }
}
