package plaudit.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BestOfNTest {
    // two prompts, four responses each (prompt-major)
    private static final double[] REWARD = {0.1, 0.5, 0.3, 0.2, 1.0, 0.0, 0.0, 2.0};
    private static final double[] GOLD = {1, 2, 3, 4, 5, 6, 7, 8};

    @Test
    void keepsTheRewardsFavouriteOfEachDisjointGroup() {
        // n = 1: every response is its own group: gold (1+…+8)/8 = 4.5, reward 4.1/8
        BestOfN.Point one = BestOfN.select(1, 4, REWARD, GOLD);
        assertEquals(4.5, one.gold(), 1e-12);
        assertEquals(4.1 / 8, one.proxy(), 1e-12);
        assertEquals(0.0, one.kl(), 1e-12);
        // n = 2: groups {0.1, 0.5} {0.3, 0.2} {1, 0} {0, 2} keep gold 2, 3, 5, 8 and rewards 0.5, 0.3, 1, 2
        BestOfN.Point two = BestOfN.select(2, 4, REWARD, GOLD);
        assertEquals((2 + 3 + 5 + 8) / 4.0, two.gold(), 1e-12);
        assertEquals((0.5 + 0.3 + 1 + 2) / 4, two.proxy(), 1e-12);
        assertEquals(Math.log(2) - 0.5, two.kl(), 1e-12);
        // n = 3: one group per prompt (the fourth response is left over): gold 2 and 5, rewards 0.5 and 1
        BestOfN.Point three = BestOfN.select(3, 4, REWARD, GOLD);
        assertEquals(3.5, three.gold(), 1e-12);
        assertEquals(0.75, three.proxy(), 1e-12);
        // n = 4: the best of each prompt: gold 2 and 8, rewards 0.5 and 2
        BestOfN.Point four = BestOfN.select(4, 4, REWARD, GOLD);
        assertEquals(5.0, four.gold(), 1e-12);
        assertEquals(1.25, four.proxy(), 1e-12);
        assertEquals(Math.log(4) - 0.75, four.kl(), 1e-12);
    }

    @Test
    void keepsTheFirstOfEqualRewardsAndHasNoGoldWithoutOne() {
        assertEquals(1.0, BestOfN.select(2, 2, new double[] {0, 0}, new double[] {1, 2}).gold(), 1e-12);
        assertEquals(Double.NaN, BestOfN.select(2, 4, REWARD, null).gold());
    }

    @Test
    void refusesScoresThatDoNotGroupByPrompt() {
        assertThrows(IllegalArgumentException.class, () -> BestOfN.select(2, 4, new double[] {1, 2, 3}, null));
        assertThrows(IllegalArgumentException.class, () -> BestOfN.select(8, 4, REWARD, GOLD));
        assertThrows(IllegalArgumentException.class, () -> BestOfN.select(2, 4, REWARD, new double[] {1}));
    }
}
