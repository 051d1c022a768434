package plaudit.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded made-up comment threads for training tests: English-like words, numbers, punctuation, line breaks. */
final class SyntheticCorpus {
    private static final String[] WORDS = ("the a an of to and in is it that for on with as was he she they you I we "
            + "this be at by not are from or have had but what all were when there can been one do did will would "
            + "reward model policy upvote comment thread reply karma post answer question people think really "
            + "because good bad great best worst time year day thing way world life work school game music movie "
            + "book food water money friend family problem reason point example idea source edit deleted update "
            + "learning training gradient token language human feedback preference score vote agree disagree "
            + "café naïve Zürich São Paulo Москва 東京 ok lol yes no maybe always never sometimes").split(" ");
    private static final String[] CONTRACTIONS = {"don't", "can't", "it's", "I'm", "you're", "we'll", "they've", "I'd"};
    private static final String[] ENDINGS = {".", ".", ".", "!", "?", "...", " :)", " \uD83D\uDE02"};

    private SyntheticCorpus() {
    }

    static List<String> documents(long seed, int count) {
        Random random = new Random(seed);
        List<String> docs = new ArrayList<>(count);
        for (int d = 0; d < count; d++) {
            StringBuilder doc = new StringBuilder();
            for (int s = 1 + random.nextInt(4); s > 0; s--) {
                int n = 3 + random.nextInt(12);
                for (int w = 0; w < n; w++) {
                    if (w > 0) doc.append(random.nextInt(30) == 0 ? ", " : " ");
                    String word = random.nextInt(12) == 0 ? CONTRACTIONS[random.nextInt(CONTRACTIONS.length)]
                            : random.nextInt(20) == 0 ? Integer.toString(random.nextInt(2025))
                            : WORDS[random.nextInt(WORDS.length)];
                    doc.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                }
                doc.append(ENDINGS[random.nextInt(ENDINGS.length)]).append(random.nextInt(4) == 0 ? "\n\n" : " ");
            }
            docs.add(doc.toString());
        }
        return docs;
    }
}
