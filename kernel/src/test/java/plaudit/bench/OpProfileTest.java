package plaudit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Self times and call counts of a hand-made trace, derived by hand. */
class OpProfileTest {
    private static String x(String name, int tid, double ts, double dur) {
        return "{\"name\": \"" + name + "\", \"ph\": \"X\", \"tid\": " + tid + ", \"ts\": " + ts + ", \"dur\": " + dur + "}";
    }

    @Test
    void nestsEventsByTimeWithinEachThread() throws Exception {
        // thread 1: A [0, 10] calls B [1, 4] and C [5, 6]; then D [12, 15] on its own. Thread 2: A [0, 3].
        // Listed out of order, with a metadata event that is not an op.
        String trace = "[" + String.join(",",
                x("aten::C", 1, 5, 1), x("aten::A", 1, 0, 10), x("aten::D", 1, 12, 3), x("aten::B", 1, 1, 3),
                "{\"name\": \"process_name\", \"ph\": \"M\"}", x("aten::A", 2, 0, 3)) + "]";
        OpProfile p = OpProfile.parse(new ObjectMapper().readTree(trace));
        assertEquals(3, p.calls(), "A and D on thread 1, A on thread 2 were called from outside any op");
        assertEquals(5, p.ops());
        // A: 10 - 3 - 1 on thread 1, plus 3 on thread 2; B, C and D only their own time
        assertEquals(Map.of("aten::A", 9.0, "aten::B", 3.0, "aten::C", 1.0, "aten::D", 3.0), p.selfMicros());
        assertEquals("A 56%; B 19%", p.top(2)); // 9 and 3 of 16
    }

    @Test
    void anEventEndingWhereTheNextStartsIsNotItsParent() throws Exception {
        String trace = "[" + x("aten::mm", 1, 0, 5) + "," + x("aten::add", 1, 5, 2) + "]";
        OpProfile p = OpProfile.parse(new ObjectMapper().readTree(trace));
        assertEquals(2, p.calls());
        assertEquals(Map.of("aten::mm", 5.0, "aten::add", 2.0), p.selfMicros());
    }
}
