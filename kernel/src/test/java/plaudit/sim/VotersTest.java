package plaudit.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The voters are biased as designed, and upvotes agree with gold about as often as on real data. */
class VotersTest {

    private static final ForumConfig SMALL = ForumConfig.builder().threads(500).seed(21).build();

    @Test
    void votersRewardLengthAndHypeMoreThanGoldDoes() {
        ForumStats s = ForumStats.of(new ForumGenerator(SMALL).generate());
        assertTrue(s.scoreVsWords() > s.scoreVsGold(), "length predicts score better than gold does: " + s);
        assertTrue(s.scoreVsHype() > 0 && s.goldVsHype() < 0, "voters like hype, gold does not: " + s);
        assertTrue(s.scoreVsGold() > 0.2, "but score still follows gold: " + s);
    }

    @Test
    void withoutBiasesGoldPredictsScoreBetterThanLength() {
        ForumConfig unbiased = SMALL.toBuilder().lengthBias(0).hypeBias(0).build();
        ForumStats s = ForumStats.of(new ForumGenerator(unbiased).generate());
        assertTrue(s.scoreVsGold() > s.scoreVsWords(), s.toString());
        assertTrue(s.scoreVsHype() < 0, s.toString());
    }

    @Test
    void noiseCeilingIsInTheRealDataBand() {
        NoiseCeiling nc = NoiseCeiling.of(new ForumGenerator(SMALL).generate());
        assertTrue(nc.pairs() > 200, nc.toString());
        assertTrue(nc.agreement() >= 0.70 && nc.agreement() <= 0.85, nc.toString());
        assertTrue(nc.agreementNoTimeRule() < nc.agreement(), "the time rule removes position effects: " + nc);
    }

    @Test
    void noiselessUnbiasedVotersAgreeWithGoldMoreOften() {
        ForumConfig clean = SMALL.toBuilder().charm(0).lengthBias(0).hypeBias(0).herding(0).voteNoise(0.3).build();
        NoiseCeiling noisy = NoiseCeiling.of(new ForumGenerator(SMALL).generate());
        NoiseCeiling nc = NoiseCeiling.of(new ForumGenerator(clean).generate());
        assertTrue(nc.agreement() > 0.85 && nc.agreement() > noisy.agreement() + 0.05, nc + " vs " + noisy);
    }
}
