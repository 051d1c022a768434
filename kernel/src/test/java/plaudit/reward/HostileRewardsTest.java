package plaudit.reward;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import plaudit.UserError;
import plaudit.data.RewardFunction;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A DSL reward (which the experiment runner wraps in {@link Rewards#checked}) that returned NaN was reported with its
 * response only, a forum post's newlines included: which sample of the batch, and for which prompt, was left out.
 */
@Tag("adversarial")
class HostileRewardsTest {
    @Test
    void aNonFiniteScoreNamesTheFunctionTheSampleAndItsPromptOnOneLine() {
        RewardFunction nanOnSecond = Rewards.checked(Rewards.named("len", (p, r) -> r.equals("b") ? Double.NaN : 1));
        String prompt = "Why?\n\n" + "w".repeat(200);
        UserError e = assertThrows(UserError.class, () -> nanOnSecond.scoreAll(List.of("p", prompt), List.of("a", "b")));
        assertEquals("reward function 'len' returned NaN for sample 1 (prompt \"Why? " + "w".repeat(75) + "…\", "
                + "response \"b\"); a reward must be a finite number", e.getMessage());
    }
}
