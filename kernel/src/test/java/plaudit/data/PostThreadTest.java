package plaudit.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostThreadTest {
    private static Comment c(String id, String parent, long time) {
        return new Comment(id, "t3_p", parent, "text " + id, "u", 5, time, parent.equals("t3_p") ? 0 : -1, false, "RC", time);
    }

    @Test
    void depthsAcceptedAnswerAndDuplicates() {
        Post p = new Post("t3_p", "s", "prompt", "op", 50, 0, false, false, false, true, List.of(), "t1_b", "RS", 1);
        DataStats stats = new DataStats();
        // replies before their parents, an orphan reply, a cycle in bad data, a duplicate
        PostThread t = PostThread.assemble(p, List.of(c("t1_d", "t1_c", 4), c("t1_c", "t1_a", 3), c("t1_a", "t3_p", 1),
                c("t1_b", "t3_p", 2), c("t1_o", "t1_gone", 5), c("t1_x", "t1_y", 6), c("t1_y", "t1_x", 7), c("t1_a", "t3_p", 8)), false, stats);
        assertEquals(List.of("t1_a", "t1_b", "t1_c", "t1_d", "t1_o", "t1_x", "t1_y"), t.comments().stream().map(Comment::id).toList(),
                "sorted by time");
        assertEquals(List.of(0, 0, 1, 2, -1, -1, -1), t.comments().stream().map(Comment::depth).toList());
        assertTrue(t.comments().get(1).accepted());
        assertFalse(t.comments().get(0).accepted());
        assertEquals(1, stats.skipped(DataStats.Unit.COMMENTS, SkipReason.DUPLICATE_COMMENT));
    }
}
