package plaudit.data;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kill -9} during a join leaves its spill folder behind: the next join removes it, and only it. */
@Tag("adversarial")
class HostileSpillTest {
    @Test
    void aJoinRemovesTheSpillFoldersOfDeadProcessesAndKeepsLiveOnes(@TempDir Path tmp) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        Path stale = Files.createDirectories(tmp.resolve("plaudit-join-pid" + gone.pid() + "-123"));
        Files.write(stale.resolve("part-0"), new byte[1000]);
        Path live = Files.createDirectories(tmp.resolve("plaudit-join-pid" + ProcessHandle.current().pid() + "-456"));
        Path other = Files.createDirectories(tmp.resolve("plaudit-join-pidnotanumber"));

        List<ThreadJoiner.Group> groups = new ArrayList<>();
        try (ThreadJoiner joiner = new ThreadJoiner(1, 4, new DataStats(), tmp)) {
            assertFalse(Files.exists(stale), "removed at start");
            for (int i = 0; i < 20; i++) {
                joiner.comment(new Comment("c" + i, "t" + i % 3, "t" + i % 3, "text " + i, "a", i, i, 0, false, "f", i));
            }
            assertTrue(joiner.spilled());
            assertEquals(3, folders(tmp).size(), "its own spill folder besides the live and the foreign one");
            joiner.finish(groups::add);
        }
        assertEquals(3, groups.size());
        assertEquals(List.of(live, other), folders(tmp), "a live owner's folder and a foreign name are kept; its own is gone");
    }

    private static List<Path> folders(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
