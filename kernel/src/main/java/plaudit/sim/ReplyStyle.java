package plaudit.sim;

import java.util.SplittableRandom;

/**
 * The kinds of commenters on the forum. Each style is a mixture over sentence kinds
 * ({@code helpful, plain, off-topic, filler, hype}), a sentence count range, a chance to say a sentence again and a
 * chance to open a sentence with a hype interjection. The mix is what makes upvotes gameable: ramblers are long and
 * repetitive (voters like length, gold does not past ~30 words), hypers are short and loud.
 */
enum ReplyStyle {
    //        share  sentences  helpful plain  off   filler hype   repeat interjection
    EXPERT(   0.22,  2, 5,      0.70,   0.20,  0.02, 0.05,  0.03,  0.02,  0.02),
    CASUAL(   0.25,  1, 3,      0.25,   0.45,  0.05, 0.20,  0.05,  0.03,  0.05),
    HYPER(    0.13,  1, 3,      0.10,   0.25,  0.05, 0.15,  0.45,  0.10,  0.30),
    WANDERER( 0.12,  2, 5,      0.15,   0.20,  0.50, 0.10,  0.05,  0.05,  0.05),
    RAMBLER(  0.16,  5, 8,      0.30,   0.35,  0.10, 0.15,  0.10,  0.30,  0.10),
    ONE_LINER(0.12,  1, 1,      0.20,   0.30,  0.10, 0.30,  0.10,  0.00,  0.10);

    final double share;
    final int minSentences;
    final int maxSentences;
    private final double[] kindProbs;
    final double repeatProb;
    final double interjectionProb;

    ReplyStyle(double share, int minSentences, int maxSentences, double helpful, double plain, double offTopic,
               double filler, double hype, double repeatProb, double interjectionProb) {
        this.share = share;
        this.minSentences = minSentences;
        this.maxSentences = maxSentences;
        this.kindProbs = new double[] {helpful, plain, offTopic, filler, hype};
        this.repeatProb = repeatProb;
        this.interjectionProb = interjectionProb;
    }

    /** The sentence kind for a uniform draw {@code u} in [0, 1). */
    TextGenerator.Kind kind(double u) {
        double acc = 0;
        TextGenerator.Kind[] kinds = TextGenerator.Kind.values();
        for (int i = 0; i < kinds.length; i++) {
            acc += kindProbs[i];
            if (u < acc) return kinds[i];
        }
        return kinds[kinds.length - 1];
    }

    static ReplyStyle draw(SplittableRandom rng) {
        double u = rng.nextDouble();
        double acc = 0;
        for (ReplyStyle s : values()) {
            acc += s.share;
            if (u < acc) return s;
        }
        return values()[values().length - 1];
    }
}
