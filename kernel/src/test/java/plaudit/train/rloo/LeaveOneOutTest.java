package plaudit.train.rloo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LeaveOneOutTest {

    @Test
    void baselineIsTheMeanOfTheOtherSamplesOfTheSamePrompt() {
        // prompt 1: rewards 1, 2, 3, 6 (sum 12) → 1 − 11/3, 2 − 10/3, 3 − 9/3, 6 − 6/3; prompt 2: all equal → 0
        double[] adv = LeaveOneOut.advantages(new double[] {1, 2, 3, 6, 5, 5, 5, 5}, 4);
        assertArrayEquals(new double[] {-8.0 / 3, -4.0 / 3, 0, 4, 0, 0, 0, 0}, adv, 1e-12);
    }

    @Test
    void twoSamplesGiveTheirDifference() {
        assertArrayEquals(new double[] {4, -4, -0.5, 0.5}, LeaveOneOut.advantages(new double[] {5, 1, 0, 0.5}, 2), 1e-12);
    }

    @Test
    void rejectsGroupsThatDoNotDivide() {
        assertThrows(IllegalArgumentException.class, () -> LeaveOneOut.advantages(new double[] {1, 2, 3}, 2));
        assertThrows(IllegalArgumentException.class, () -> LeaveOneOut.advantages(new double[] {1, 2}, 1));
    }
}
