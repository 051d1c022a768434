package plaudit.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The synthetic forum's language: eight topics with disjoint content words, sentence templates, and the generic,
 * helpful, filler and hype vocabulary shared by all topics. About 700 word types in all, so that a small BPE
 * vocabulary covers every word and a small GPT can learn the language in minutes.
 *
 * <p>Templates are plain lower-case sentences with slots: {@code {F}} the post's focal noun, {@code {N}} another
 * noun of the topic, {@code {V}} a verb and {@code {A}} an adjective of the topic. {@link TextGenerator} fills them;
 * {@link GoldPreference} reads the word lists. Every word the generator can emit is in {@link #lexicon()}.
 */
public final class ForumLanguage {

    static final Pattern SLOT = Pattern.compile("\\{([FNVA])\\}");
    /** Built after the pattern above, which its constructor uses. */
    private static final ForumLanguage STANDARD = new ForumLanguage();

    private final List<Topic> topics = List.of(
            new Topic("cooking", "t5_2qh7f",
                    List.of("pan", "skillet", "oven", "knife", "onion", "garlic", "butter", "flour", "dough", "sauce",
                            "pasta", "rice", "broth", "steak", "chicken", "salt", "recipe", "sourdough", "yeast",
                            "batter", "spatula", "stove", "marinade", "crust"),
                    List.of("bake", "simmer", "chop", "roast", "season", "stir", "knead", "sear", "whisk", "boil",
                            "saute", "marinate"),
                    List.of("crispy", "soggy", "golden", "tender", "salty", "bland", "savory", "fluffy", "greasy",
                            "burnt")),
            new Topic("bicycling", "t5_2qi0s",
                    List.of("chain", "derailleur", "saddle", "tire", "tube", "brake", "pedal", "crank", "cassette",
                            "spoke", "wheel", "frame", "helmet", "gear", "handlebar", "cable", "hub", "rim", "cleat",
                            "shifter", "pump", "fork", "sprocket", "bike"),
                    List.of("ride", "shift", "lube", "adjust", "tighten", "inflate", "patch", "climb", "commute",
                            "degrease", "cycle", "coast"),
                    List.of("squeaky", "loose", "flat", "worn", "aero", "tubeless", "rusty", "sluggish", "knobby",
                            "wobbly")),
            new Topic("gardening", "t5_2qhbw",
                    List.of("tomato", "seedling", "soil", "compost", "mulch", "fertilizer", "trowel", "hose", "bed",
                            "weed", "root", "leaf", "pot", "basil", "zucchini", "aphid", "sprout", "shrub", "lawn",
                            "bulb", "trellis", "seed", "greenhouse", "hedge"),
                    List.of("water", "prune", "plant", "sow", "transplant", "fertilize", "harvest", "repot", "dig",
                            "germinate", "till", "graft"),
                    List.of("wilted", "leggy", "yellowing", "shady", "sunny", "damp", "fertile", "overgrown",
                            "droopy", "hardy")),
            new Topic("programming", "t5_2fwo",
                    List.of("function", "loop", "variable", "compiler", "bug", "array", "class", "server", "database",
                            "query", "python", "java", "api", "string", "pointer", "thread", "repo", "commit",
                            "library", "framework", "syntax", "script", "stack", "exception"),
                    List.of("debug", "compile", "refactor", "deploy", "install", "import", "print", "parse",
                            "iterate", "merge", "profile", "rebase"),
                    List.of("recursive", "null", "async", "deprecated", "buggy", "readable", "verbose", "static",
                            "nested", "concurrent")),
            new Topic("guitar", "t5_2qi79",
                    List.of("chord", "fret", "amp", "pick", "scale", "riff", "tuner", "capo", "strap", "song", "tab",
                            "metronome", "note", "melody", "rhythm", "bass", "drum", "piano", "solo", "tempo",
                            "fretboard", "pickup", "nut", "bridge"),
                    List.of("strum", "tune", "practice", "play", "improvise", "record", "pluck", "jam", "transpose",
                            "fingerpick", "hum", "bend"),
                    List.of("acoustic", "electric", "muted", "detuned", "melodic", "distorted", "funky", "bluesy",
                            "catchy", "harmonic")),
            new Topic("fitness", "t5_2qhx4",
                    List.of("squat", "deadlift", "bench", "barbell", "dumbbell", "protein", "rep", "workout",
                            "cardio", "treadmill", "muscle", "gym", "plate", "warmup", "calorie", "shoulder", "knee",
                            "hip", "core", "routine", "kettlebell", "pullup", "creatine", "hamstring"),
                    List.of("lift", "train", "bulk", "jog", "press", "row", "hydrate", "stretch", "sprint", "recover",
                            "spot", "flex"),
                    List.of("sore", "lean", "strong", "heavy", "explosive", "toned", "sweaty", "injured", "fit",
                            "stiff")),
            new Topic("photography", "t5_2qh2a",
                    List.of("camera", "lens", "aperture", "shutter", "tripod", "sensor", "exposure", "flash", "iso",
                            "lighting", "portrait", "landscape", "filter", "mirrorless", "dslr", "histogram", "bokeh",
                            "composition", "subject", "sunset", "viewfinder", "lightroom", "preset", "raw"),
                    List.of("shoot", "focus", "edit", "expose", "crop", "meter", "zoom", "bracket", "develop",
                            "capture", "photograph", "retouch"),
                    List.of("blurry", "sharp", "grainy", "overexposed", "underexposed", "wide", "telephoto", "candid",
                            "moody", "crisp")),
            new Topic("travel", "t5_2qh41",
                    List.of("passport", "visa", "flight", "hostel", "hotel", "luggage", "backpack", "itinerary",
                            "airport", "railpass", "ticket", "border", "currency", "museum", "beach", "city",
                            "guidebook", "layover", "tour", "booking", "jetlag", "souvenir", "ferry", "airline"),
                    List.of("book", "fly", "pack", "explore", "hike", "wander", "visit", "sightsee", "travel",
                            "backpack", "roam", "haggle"),
                    List.of("cheap", "crowded", "scenic", "touristy", "remote", "overnight", "walkable", "expensive",
                            "rainy", "exotic")));

    /** Post titles: a question about the focal noun. */
    final List<String> titleTemplates = List.of(
            "how do i {V} a {A} {F}?",
            "my {F} is too {A}. any tips?",
            "best way to {V} the {F}?",
            "help with a {A} {F} and {N}",
            "{F} or {N} for a beginner?",
            "why is my {F} always {A}?",
            "first time trying to {V} a {F}, advice?",
            "is a {A} {F} worth it?",
            "what {N} should i get for my {F}?",
            "{A} {F} after i {V} it. what went wrong?");

    /** Post bodies: the asker's situation; two to four of these per post. */
    final List<String> bodyTemplates = List.of(
            "i have been trying to {V} my {F} for a week.",
            "every time i {V} it the {F} ends up {A}.",
            "i use a {A} {N} and an old {N}.",
            "is it the {N} or the {F}?",
            "what am i doing wrong?",
            "any advice would help, thanks.",
            "i am a beginner and i only have a {N}.",
            "i read that you should {V} the {N} first but it did not help.",
            "should i get a new {F} or {V} the old one?",
            "my friend says the {N} is the problem.",
            "the {F} was fine last month and now it is {A}.",
            "i do not want to spend a lot on a new {N}.");

    /** On-topic sentences that carry a helpfulness marker (see {@link #helpfulMarkers}). */
    final List<String> helpfulTemplates = List.of(
            "try to {V} the {F} before you {V} it.",
            "first {V} the {N}, then {V} the {F}.",
            "in my experience a {A} {N} works better than a {N}.",
            "make sure the {F} is not too {A}.",
            "i recommend a {A} {N} for this.",
            "the trick is to {V} the {F} slowly.",
            "your {F} gets {A} because the {N} is {A}.",
            "what worked for me was to {V} the {N} and then {V} the {F}.",
            "for example, {V} the {N} with a {A} {N}.",
            "check the {N} first, it is often {A}.",
            "instead of a {N}, use a {A} {N}.",
            "try a {A} {N} because it helps the {F}.");

    /** On-topic sentences without a marker: chatty, personal, not much use to the asker. */
    final List<String> plainTemplates = List.of(
            "i have a {A} {N} too.",
            "my {N} was {A} last year.",
            "the {F} looks {A} to me.",
            "a {A} {N} is the best.",
            "i {V} my {N} every week.",
            "my {F} is the same.",
            "i had a {N} like that once.",
            "nice {F}, mine is {A}.",
            "i never {V} the {N}.",
            "the {N} is {A} here too.");

    /** Replies' filler: content-free sentences. */
    final List<String> fillerSentences = List.of(
            "i don't know.", "same here.", "good question.", "it depends.", "not sure about that.",
            "just my two cents.", "anyway.", "hope this helps.", "well, yes and no.", "following.",
            "i was wondering the same thing.", "hard to say.", "that is a lot.", "who knows.");

    /** Hype: what voters like and gold does not. */
    final List<String> hypeSentences = List.of(
            "this!", "amazing!", "lol", "upvote this.", "wow, legend.", "haha so true.", "omg yes.",
            "best answer ever!", "epic.", "awesome post!", "lmao this is gold.", "insane, upvoted.");

    /** Hype words sprinkled into otherwise normal sentences. */
    final List<String> hypeInterjections = List.of("lol", "omg", "wow", "haha", "amazing", "awesome", "epic");

    /** The original poster's answers to comments. */
    final List<String> opReplyTemplates = List.of(
            "thanks, i will try the {N}.",
            "that worked, thank you!",
            "good idea, i did not think of the {N}.",
            "i tried that but my {F} is still {A}.",
            "thanks, that makes sense.");

    final List<String> automodTemplates = List.of(
            "thanks for posting. please read the rules and be kind. i am a bot.",
            "your post was flaired as a question. please be kind in the comments. i am a bot.");

    /**
     * Words voters like and gold does not (all of {@link #hypeSentences} and {@link #hypeInterjections}'
     * content), as single tokens.
     */
    private final Set<String> hypeWords = Set.of(
            "amazing", "lol", "upvote", "upvoted", "legend", "haha", "omg", "epic", "awesome", "lmao", "insane", "wow",
            "gold");

    /** Phrases that mark a helpful answer; {@link GoldPreference} counts how many distinct ones a reply uses. */
    private final List<List<String>> helpfulMarkers = List.of(
            List.of("try"), List.of("because"), List.of("first"), List.of("then"), List.of("in", "my", "experience"),
            List.of("i", "recommend"), List.of("make", "sure"), List.of("for", "example"),
            List.of("the", "trick", "is"), List.of("what", "worked", "for", "me"), List.of("check"),
            List.of("instead"));

    /** Class names standing for a topic's nouns, verbs and adjectives in {@link #grammaticalPairs}. */
    private static final String NOUN = "zznoun", VERB = "zzverb", ADJ = "zzadj";

    private final Map<String, Integer> topicOfWord;
    private final Set<String> lexicon;
    /** Content word → its classes (a word such as "backpack" is both noun and verb). */
    private final Map<String, List<String>> classesOfContentWord;
    /**
     * Adjacent token pairs the language's sentences can produce, as "c1 c2" where a class is the word itself for
     * generic words, {@link #NOUN}, {@link #VERB} or {@link #ADJ} for content words and "." for the end of a sentence.
     * Sentences can follow each other, so every sentence's last token may precede every sentence's first.
     */
    private final Set<String> grammaticalPairs;

    private ForumLanguage() {
        Map<String, Integer> owner = new HashMap<>();
        for (int t = 0; t < topics.size(); t++) {
            for (String w : topics.get(t).words()) {
                Integer prev = owner.putIfAbsent(w, t);
                if (prev != null && prev != t) {
                    throw new IllegalStateException("topic word '" + w + "' is in both " + topics.get(prev).subreddit()
                            + " and " + topics.get(t).subreddit());
                }
            }
        }
        Set<String> generic = new LinkedHashSet<>();
        for (List<String> list : List.of(titleTemplates, bodyTemplates, helpfulTemplates, plainTemplates,
                fillerSentences, hypeSentences, hypeInterjections, opReplyTemplates, automodTemplates)) {
            for (String s : list) generic.addAll(words(SLOT.matcher(s).replaceAll(" ")));
        }
        generic.addAll(hypeWords);
        helpfulMarkers.forEach(generic::addAll);
        for (String w : generic) {
            if (owner.containsKey(w)) {
                throw new IllegalStateException("generic word '" + w + "' is also a content word of "
                        + topics.get(owner.get(w)).subreddit());
            }
        }
        Set<String> all = new LinkedHashSet<>(generic);
        all.addAll(owner.keySet());
        all.add("an"); // the generator turns "a" into "an" before a vowel
        this.topicOfWord = Map.copyOf(owner);
        this.lexicon = Collections.unmodifiableSet(all);

        Map<String, List<String>> classes = new HashMap<>();
        for (Topic t : topics) {
            classes.computeIfAbsent(t.subreddit(), k -> new ArrayList<>()).add(NOUN);
            t.nouns().forEach(w -> classes.computeIfAbsent(w, k -> new ArrayList<>()).add(NOUN));
            t.verbs().forEach(w -> classes.computeIfAbsent(w, k -> new ArrayList<>()).add(VERB));
            t.adjectives().forEach(w -> classes.computeIfAbsent(w, k -> new ArrayList<>()).add(ADJ));
        }
        this.classesOfContentWord = Map.copyOf(classes);
        Set<String> pairs = new HashSet<>(), starts = new HashSet<>(), ends = new HashSet<>();
        List<List<String>> joined = List.of(bodyTemplates, helpfulTemplates, plainTemplates, fillerSentences,
                hypeSentences, hypeInterjections); // the units TextGenerator strings together
        for (List<String> list : List.of(titleTemplates, bodyTemplates, helpfulTemplates, plainTemplates,
                fillerSentences, hypeSentences, hypeInterjections, opReplyTemplates, automodTemplates)) {
            boolean joinable = joined.contains(list);
            for (String template : list) {
                List<String> w = grammarTokens(SLOT.matcher(template).replaceAll(m -> " " + switch (m.group(1)) {
                    case "V" -> VERB;
                    case "A" -> ADJ;
                    default -> NOUN;
                } + " "));
                if (joinable) {
                    starts.add(w.get(0));
                    ends.add(w.get(w.size() - 1));
                }
                for (int i = 0; i + 1 < w.size(); i++) pairs.add(w.get(i) + " " + w.get(i + 1));
            }
        }
        for (String end : ends) for (String start : starts) pairs.add(end + " " + start);
        // "a" becomes "an" before a vowel; both lead into the same words
        for (String p : List.copyOf(pairs)) {
            if (p.startsWith("a ")) pairs.add("an " + p.substring(2));
            if (p.endsWith(" a")) pairs.add(p.substring(0, p.length() - 2) + " an");
        }
        this.grammaticalPairs = Set.copyOf(pairs);
    }

    /** The one language every part of Plaudit uses; immutable and thread-safe. */
    public static ForumLanguage standard() {
        return STANDARD;
    }

    public List<Topic> topics() {
        return topics;
    }

    public Topic topic(String subreddit) {
        for (Topic t : topics) if (t.subreddit().equals(subreddit)) return t;
        return null;
    }

    /** Index in {@link #topics()} of the topic a content word belongs to, or -1 for a generic or unknown word. */
    public int topicOf(String word) {
        return topicOfWord.getOrDefault(word, -1);
    }

    /** Every word the generator can emit. */
    public Set<String> lexicon() {
        return lexicon;
    }

    public boolean isHype(String word) {
        return hypeWords.contains(word);
    }

    /**
     * Share of adjacent token pairs (words, and "." for each run of {@code . ! ?}) that the language's sentences can
     * produce, by word class: a topic word stands for any noun, verb or adjective. 1 for fewer than two tokens.
     * Generated text always scores 1; shuffled words, or content words strung together, score low.
     */
    public double grammaticality(String text) {
        List<String> tokens = grammarTokens(text);
        if (tokens.size() < 2) return 1;
        int ok = 0;
        for (int i = 0; i + 1 < tokens.size(); i++) if (grammatical(tokens.get(i), tokens.get(i + 1))) ok++;
        return (double) ok / (tokens.size() - 1);
    }

    /** The words of a text as {@link #words} finds them, with "." for each run of sentence-ending punctuation. */
    static List<String> grammarTokens(String text) {
        List<String> out = new ArrayList<>();
        String s = text.toLowerCase(Locale.ROOT);
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i < s.length() && ".!?".indexOf(s.charAt(i)) < 0) continue;
            out.addAll(words(s.substring(start, i)));
            if (i < s.length() && (out.isEmpty() || !out.get(out.size() - 1).equals("."))) out.add(".");
            start = i + 1;
        }
        return out;
    }

    private boolean grammatical(String w1, String w2) {
        for (String c1 : classes(w1)) {
            for (String c2 : classes(w2)) if (grammaticalPairs.contains(c1 + " " + c2)) return true;
        }
        return false;
    }

    private List<String> classes(String word) {
        if (word.equals(".")) return List.of(".");
        List<String> content = classesOfContentWord.get(word);
        if (content != null) return content;
        return lexicon.contains(word) ? List.of(word) : List.of();
    }

    public List<List<String>> helpfulMarkers() {
        return helpfulMarkers;
    }

    /** Lower-cased words of a text, in order: runs of letters a–z with inner apostrophes; all else separates. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        String s = text.toLowerCase(Locale.ROOT);
        int n = s.length();
        int i = 0;
        while (i < n) {
            if (!isLetter(s.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && (isLetter(s.charAt(i)) || s.charAt(i) == '\'' && i + 1 < n && isLetter(s.charAt(i + 1))
                    && isLetter(s.charAt(i - 1)))) {
                i++;
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z';
    }
}
