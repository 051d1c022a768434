package plaudit.model;

import plaudit.FileTrees;
import plaudit.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Replaces a directory as one step: everything is written and fsynced in a hidden sibling {@code .<name>.tmp-*},
 * which then takes the place of the old directory by rename. A crash leaves either the old or the new directory,
 * never a mixture; the hidden leftovers of an interrupted write are removed by the next write to the same place.
 */
public final class AtomicDirectory {
    /** Hidden siblings holding a directory being written. */
    static final String TMP = ".tmp-";
    /** Hidden siblings holding the previous directory while the new one is renamed into place. */
    static final String OLD = ".old-";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Writes the new contents of a directory into the directory it is given. */
    interface Contents {
        void writeInto(Path dir) throws IOException;
    }

    private AtomicDirectory() {
    }

    /**
     * Writes {@code target} (an absolute path) through {@code contents}, replacing what is there. Refuses to replace
     * a non-empty directory without the file {@code marker} (not {@code what}), so a wrong path cannot wipe unrelated
     * files.
     */
    static void write(Path target, String marker, String what, Contents contents) throws IOException {
        Path parent = target.getParent();
        Files.createDirectories(parent);
        checkReplaceable(target, marker, what);
        for (Path stale : leftovers(target, TMP)) FileTrees.delete(stale);
        if (Files.isDirectory(target)) {
            for (Path stale : leftovers(target, OLD)) FileTrees.delete(stale);
        }
        Path tmp = freshDirectory(parent, "." + target.getFileName() + TMP);
        try {
            contents.writeInto(tmp);
            fsyncDirectory(tmp);
            replace(tmp, target);
        } catch (Throwable t) {
            FileTrees.delete(tmp);
            throw t;
        }
    }

    private static void checkReplaceable(Path target, String marker, String what) throws IOException {
        if (!Files.exists(target)) return;
        if (!Files.isDirectory(target)) throw new UserError(target + ": exists and is not a directory; choose another path");
        if (!Files.exists(target.resolve(marker)) && !isEmpty(target)) {
            throw new UserError(target + ": exists and is not " + what + " (no " + marker + "); refusing to"
                    + " replace it. Choose an empty or new directory");
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list (" + e + ")", e);
        }
    }

    /** Renames {@code tmp} to {@code target}; an existing target is first renamed aside, then deleted. */
    private static void replace(Path tmp, Path target) throws IOException {
        Path parent = target.getParent();
        if (!Files.exists(target)) {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(parent);
            return;
        }
        // POSIX rename cannot replace a non-empty directory, so there are two renames; between them only the
        // hidden .old- copy exists, and a reader can point to it if a crash happens right there.
        Path old = freshDirectory(parent, "." + target.getFileName() + OLD);
        Files.delete(old);
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        fsyncDirectory(parent);
        FileTrees.delete(old);
    }

    /**
     * A new directory {@code prefix<random>}. Unlike {@code Files.createTempDirectory} (always rwx------) it gets the
     * usual permissions, which the directory keeps after the rename.
     */
    private static Path freshDirectory(Path parent, String prefix) throws IOException {
        while (true) {
            try {
                return Files.createDirectory(parent.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong(), 36)));
            } catch (FileAlreadyExistsException e) {
                // taken: draw another name
            }
        }
    }

    /**
     * Finishes a replacement that a crash cut between its two renames: {@code target} is gone, its previous version
     * waits in a hidden {@code .old-} sibling and the new one, complete and fsynced before the first rename, in the
     * {@code .tmp-} sibling; the new one takes its place. Returns whether there was such a replacement to finish.
     */
    public static boolean finishInterrupted(Path target) {
        if (Files.exists(target)) return false;
        List<Path> olds = leftovers(target, OLD);
        List<Path> tmps = leftovers(target, TMP);
        if (olds.isEmpty() || tmps.size() != 1) return false; // a .tmp- without .old- may be half written
        try {
            Files.move(tmps.get(0), target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(target.toAbsolutePath().getParent());
            for (Path old : olds) FileTrees.delete(old);
        } catch (IOException e) {
            throw new UserError(target + ": cannot finish the interrupted write of it from " + tmps.get(0) + " (" + e
                    + "); rename that folder to " + target.getFileName(), e);
        }
        return true;
    }

    /** Hidden siblings {@code .<name><kind>*} that an interrupted write left behind. */
    static List<Path> leftovers(Path dir, String kind) {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        List<Path> found = new ArrayList<>();
        if (parent == null || !Files.isDirectory(parent)) return found;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(parent, "." + abs.getFileName() + kind + "*")) {
            s.forEach(found::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Makes renames and new entries in a directory durable. Linux allows fsync on a directory opened read-only. */
    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
