package plaudit.reward;

import plaudit.data.RewardFunction;

import org.junit.jupiter.api.Test;
import plaudit.UserError;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RewardsTest {
    static final RewardFunction LENGTH = Rewards.named("length", (p, r) -> r.length());
    static final RewardFunction HAS_X = Rewards.named("has_x", (p, r) -> r.contains("x") ? 1 : 0);

    @Test
    void weightedSumClampAndGate() {
        RewardFunction sum = Rewards.sum(List.of(LENGTH, HAS_X), new double[] {0.5, 2});
        assertEquals(0.5 * 4 + 2, sum.score("", "axbc"));
        assertEquals("0.5·length + 2·has_x", sum.name());
        RewardFunction clamped = Rewards.clamp(sum, -1, 3);
        assertEquals(3, clamped.score("", "axbcdefg"));
        RewardFunction gated = Rewards.gate(LENGTH, HAS_X, -1);
        assertArrayEquals(new double[] {3, -1}, gated.scoreAll(List.of("", ""), List.of("abc", "xyz")));
    }

    @Test
    void compositionsScoreWholeBatchesDownstream() {
        AtomicInteger batchCalls = new AtomicInteger();
        RewardFunction batched = new RewardFunction() {
            @Override
            public double score(String prompt, String response) {
                throw new AssertionError("scored one at a time");
            }

            @Override
            public double[] scoreAll(List<String> prompts, List<String> responses) {
                batchCalls.incrementAndGet();
                return new double[prompts.size()];
            }
        };
        Rewards.clamp(Rewards.sum(List.of(batched, LENGTH), new double[] {1, 1}), 0, 1)
                .scoreAll(List.of("", "", ""), List.of("a", "b", "c"));
        assertEquals(1, batchCalls.get());
    }

    @Test
    void badInputIsNamed() {
        assertThrows(UserError.class, () -> Rewards.sum(List.of(LENGTH), new double[] {1, 2}));
        assertThrows(UserError.class, () -> Rewards.clamp(LENGTH, 2, 1));
        RewardFunction nan = Rewards.checked(Rewards.named("broken", (p, r) -> Double.NaN));
        UserError e = assertThrows(UserError.class, () -> nan.scoreAll(List.of("p"), List.of("resp")));
        assertTrue(e.getMessage().contains("broken") && e.getMessage().contains("resp"), e.getMessage());
    }
}
