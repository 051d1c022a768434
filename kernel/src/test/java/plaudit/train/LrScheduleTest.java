package plaudit.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LrScheduleTest {
    @Test
    void warmupThenCosineToFloor() {
        LrSchedule s = new LrSchedule(1e-3, 1e-4, 10, 110);
        assertEquals(1e-4, s.at(0), 1e-12);          // first warmup step: max/warmup
        assertEquals(1e-3, s.at(9), 1e-12);          // end of warmup: peak
        assertEquals(5.5e-4, s.at(60), 1e-12);       // half-way through the cosine: the mean of peak and floor
        assertEquals(1e-4, s.at(110), 1e-12);
        assertEquals(1e-4, s.at(500), 1e-12);
    }
}
