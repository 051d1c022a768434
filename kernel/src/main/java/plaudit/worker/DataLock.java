package plaudit.worker;

import plaudit.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One worker per {@code --data} folder: an operating-system lock on {@code DATA/worker.lock}, held for the worker's
 * lifetime and released by the system when the process ends, even by kill -9. Two workers on one folder would both
 * number their next job alike and run, and resume, each other's jobs under the wrong spec.
 */
public final class DataLock implements AutoCloseable {
    public static final String FILE = "worker.lock";
    /**
     * Lock files this process holds. The system's locks belong to the process, and closing any channel on the file
     * drops them, so a second take in the same process is refused here, before a channel is opened.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;

    private final FileChannel channel;
    private final FileLock lock;

    private DataLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the folder's lock, or refuses naming the folder and the holder's process id. */
    public static DataLock take(Path data) {
        Path file = data.toAbsolutePath().normalize().resolve(FILE);
        if (!HELD.add(file)) throw inUse(data, file, " (pid " + ProcessHandle.current().pid() + ")");
        FileChannel channel = null;
        boolean taken = false;
        try {
            Files.createDirectories(data);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) throw inUse(data, file, holder(channel));
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            taken = true;
            return new DataLock(file, channel, lock);
        } catch (IOException e) {
            throw new UserError("--data " + data + ": cannot lock " + file + ": " + e.getMessage());
        } finally {
            if (!taken) {
                closeQuietly(channel);
                HELD.remove(file);
            }
        }
    }

    private static UserError inUse(Path data, Path file, String holder) {
        return new UserError("--data " + data + " is in use by another worker" + holder + ", which holds " + file
                + "; stop that worker or give this one another --data folder");
    }

    /** " (pid N)" from the lock file, or nothing if it holds no number. */
    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        channel.read(buf, 0);
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
        return text.matches("\\d{1,19}") ? " (pid " + text + ")" : "";
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // the lock's refusal or failure is what is reported
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
        HELD.remove(file);
    }
}
