package plaudit.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WinRateTest {
    @Test
    void comparesEveryPairOfResponsesToTheSamePromptOnly() {
        // prompt 0: A = {1, 3}, B = {2, 2} → A wins 2 of 4 pairs; prompt 1: A = {0, 0}, B = {5, 0} → two ties of 4 = 1
        double[] a = {1, 3, 0, 0}, b = {2, 2, 5, 0};
        assertEquals((2 + 1.0) / 8, WinRate.winRate(a, b, 2), 1e-12);
        assertEquals(0.5, WinRate.winRate(new double[] {1, 1}, new double[] {1, 1}, 1), 1e-12);
        assertEquals(1.0, WinRate.winRate(new double[] {2}, new double[] {1}, 1), 1e-12);
    }

    @Test
    void standardErrorTreatsPromptsAsTheUnits() {
        // per-prompt win rates 0.5 and 0.25 (see above): mean 0.375, sd 0.1768, se = sd / sqrt(2) = 0.125
        double[] a = {1, 3, 0, 0}, b = {2, 2, 5, 0};
        assertEquals(0.125, WinRate.winRateStandardError(a, b, 2), 1e-12);
        assertEquals(0.0, WinRate.winRateStandardError(new double[] {2, 2}, new double[] {1, 1}, 1), 1e-12);
        assertEquals(Double.NaN, WinRate.winRateStandardError(new double[] {2}, new double[] {1}, 1));
    }

    @Test
    void refusesScoresThatDoNotPairUpByPrompt() {
        // one SFT response per prompt against two policy responses per prompt: grouping by two would compare
        // responses to different prompts
        assertThrows(IllegalArgumentException.class, () -> WinRate.winRate(new double[] {1, 2, 3, 4}, new double[] {1, 2}, 2));
        assertThrows(IllegalArgumentException.class, () -> WinRate.winRate(new double[] {1, 2, 3}, new double[] {1, 2, 3}, 2));
        assertThrows(IllegalArgumentException.class, () -> WinRate.winRateStandardError(new double[] {1, 2}, new double[] {1}, 1));
    }
}
