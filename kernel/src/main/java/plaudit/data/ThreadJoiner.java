package plaudit.data;

import plaudit.FileTrees;
import plaudit.UserError;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Groups posts and comments by thread, whatever order they arrive in (a comments file before its submissions file,
 * one month's comments on another month's posts). Memory is bounded: records are held in memory up to a byte budget;
 * past it, everything is spilled to disk in hash partitions by thread id, and at the end each partition is read back
 * and grouped on its own. A thread always falls in one partition, so memory at the end is about the budget plus one
 * partition (total / partitions), however large the input.
 *
 * <p>Spill folders are named {@code plaudit-join-pid<PID>-…} after the process that owns them. A process killed with
 * {@code kill -9} cannot remove its own, so each new joiner removes the spill folders whose owner is no longer alive.
 */
public final class ThreadJoiner implements AutoCloseable {
    /** One thread's records. {@code post} is null when no post arrived; {@code postSkip} is set when it was screened out. */
    public record Group(String threadId, Post post, SkipReason postSkip, List<Comment> comments) {
    }

    private static final class Builder {
        Post post;
        SkipReason postSkip;
        final List<Comment> comments = new ArrayList<>(4);
    }

    private static final byte POST = 1;
    private static final byte SKIPPED_POST = 2;
    private static final byte COMMENT = 3;
    private static final String SPILL_PREFIX = "plaudit-join-pid";

    private final long budgetBytes;
    private final int partitions;
    private final DataStats stats;
    private final Path spillParent;
    private LinkedHashMap<String, Builder> groups = new LinkedHashMap<>();
    private long heldBytes;
    private Path spillDir;
    private DataOutputStream[] spill;
    /** File names interned to small ids in spill records. */
    private final Map<String, Integer> fileIds = new HashMap<>();
    private final List<String> fileNames = new ArrayList<>();

    /**
     * @param budgetBytes memory for held records before spilling (estimated from string lengths), at most an
     *                    eighth of the heap
     * @param partitions  spill partitions; memory at the end is about (total spilled) / partitions
     */
    public ThreadJoiner(long budgetBytes, int partitions, DataStats stats) {
        this(budgetBytes, partitions, stats, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** @param spillParent where the spill folder is created (the temporary folder by default) */
    public ThreadJoiner(long budgetBytes, int partitions, DataStats stats, Path spillParent) {
        if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1");
        // The budget counts string bytes; the held objects cost a few times that, and the rest of the pipeline needs
        // the heap too, so a budget over an eighth of the heap (the default's 128 MB under -Xmx64m) would run out of
        // memory before it ever spilled.
        this.budgetBytes = Math.min(budgetBytes, Runtime.getRuntime().maxMemory() / 8);
        this.partitions = partitions;
        this.stats = stats;
        this.spillParent = spillParent;
        removeStaleSpills(spillParent);
    }

    /** Deletes the spill folders in {@code parent} whose owning process has ended; returns how many. */
    static int removeStaleSpills(Path parent) {
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, SPILL_PREFIX + "*")) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                int dash = name.indexOf('-', SPILL_PREFIX.length());
                long pid;
                try {
                    pid = Long.parseLong(name.substring(SPILL_PREFIX.length(), dash < 0 ? name.length() : dash));
                } catch (NumberFormatException e) {
                    continue; // not ours
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                FileTrees.delete(d);
                removed++;
            }
        } catch (IOException e) {
            // cleaning up after another run is best effort: it must not stop this one
        }
        return removed;
    }

    public void post(Post p) {
        if (spill != null) {
            write(p.threadId(), out -> writePost(out, p));
            return;
        }
        addPost(held(p.threadId()), p);
        account(100 + 2L * (p.prompt().length() + p.community().length()));
    }

    /** Remembers that a post existed but was screened out, so its comments count as {@code post_skipped}, not orphans. */
    public void skippedPost(String threadId, SkipReason reason) {
        if (spill != null) {
            write(threadId, out -> writeSkippedPost(out, threadId, reason));
            return;
        }
        addSkip(held(threadId), reason);
        account(0);
    }

    public void comment(Comment c) {
        if (spill != null) {
            write(c.threadId(), out -> writeComment(out, c));
            return;
        }
        held(c.threadId()).comments.add(c);
        account(150 + 2L * (c.text().length() + c.id().length() + c.parentId().length()));
    }

    /** Whether records went to disk (for tests and the benchmark report). */
    public boolean spilled() {
        return spillDir != null;
    }

    /** The thread's group, created (and its own memory counted: map entry, key, list) on first sight. */
    private Builder held(String threadId) {
        Builder b = groups.get(threadId);
        if (b == null) {
            b = new Builder();
            groups.put(threadId, b);
            heldBytes += 200 + 2L * threadId.length();
        }
        return b;
    }

    private void account(long bytes) {
        heldBytes += bytes;
        if (heldBytes > budgetBytes) spillAll();
    }

    private void addPost(Builder b, Post p) {
        if (b.post != null || b.postSkip != null) stats.skip(DataStats.Unit.POSTS, SkipReason.DUPLICATE_POST, p.file(), p.line());
        else b.post = p;
    }

    private void addSkip(Builder b, SkipReason r) {
        if (b.post == null && b.postSkip == null) b.postSkip = r;
    }

    // ---- spilling

    private interface RecordWriter {
        void write(DataOutputStream out) throws IOException;
    }

    private void spillAll() {
        try {
            spillDir = Files.createTempDirectory(spillParent, SPILL_PREFIX + ProcessHandle.current().pid() + "-");
            spill = new DataOutputStream[partitions];
            for (int i = 0; i < partitions; i++) {
                spill[i] = new DataOutputStream(new BufferedOutputStream(
                        Files.newOutputStream(spillDir.resolve("part-" + i)), 1 << 16));
            }
        } catch (IOException e) {
            throw new UserError("cannot create spill files for grouping threads in " + spillParent
                    + " (" + e.getMessage() + "); free disk space or set -Djava.io.tmpdir", e);
        }
        LinkedHashMap<String, Builder> held = groups;
        groups = null;
        heldBytes = 0;
        held.forEach((threadId, b) -> {
            if (b.post != null) write(threadId, out -> writePost(out, b.post));
            if (b.postSkip != null) write(threadId, out -> writeSkippedPost(out, threadId, b.postSkip));
            for (Comment c : b.comments) write(threadId, out -> writeComment(out, c));
        });
    }

    private void write(String threadId, RecordWriter w) {
        try {
            w.write(spill[Math.floorMod(Hash64.of(threadId), partitions)]);
        } catch (IOException e) {
            throw new UncheckedIOException("spilling thread records to " + spillDir, e);
        }
    }

    /** Emits every thread once; call after all records were added. */
    public void finish(Consumer<Group> out) {
        if (spill == null) {
            groups.forEach((id, b) -> out.accept(new Group(id, b.post, b.postSkip, b.comments)));
            groups = new LinkedHashMap<>();
            return;
        }
        try {
            for (DataOutputStream s : spill) s.close();
            for (int i = 0; i < partitions; i++) {
                Path part = spillDir.resolve("part-" + i);
                LinkedHashMap<String, Builder> local = readPartition(part);
                Files.delete(part);
                local.forEach((id, b) -> out.accept(new Group(id, b.post, b.postSkip, b.comments)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading spilled thread records from " + spillDir, e);
        }
    }

    private LinkedHashMap<String, Builder> readPartition(Path part) throws IOException {
        LinkedHashMap<String, Builder> local = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(part), 1 << 16))) {
            while (true) {
                byte kind;
                try {
                    kind = in.readByte();
                } catch (EOFException end) {
                    return local;
                }
                switch (kind) {
                    case POST -> {
                        Post p = readPost(in);
                        addPost(local.computeIfAbsent(p.threadId(), k -> new Builder()), p);
                    }
                    case SKIPPED_POST -> {
                        String threadId = readString(in);
                        addSkip(local.computeIfAbsent(threadId, k -> new Builder()), SkipReason.values()[in.readShort()]);
                    }
                    case COMMENT -> {
                        Comment c = readComment(in);
                        local.computeIfAbsent(c.threadId(), k -> new Builder()).comments.add(c);
                    }
                    default -> throw new IOException("corrupt spill file " + part + ": record kind " + kind);
                }
            }
        }
    }

    @Override
    public void close() {
        if (spillDir == null) return;
        try {
            if (spill != null) for (DataOutputStream s : spill) s.close();
            FileTrees.delete(spillDir);
        } catch (IOException e) {
            throw new UncheckedIOException("removing spill files in " + spillDir, e);
        }
    }

    // ---- record codec: strings as (length, UTF-8 bytes), -1 for null

    private void writePost(DataOutputStream out, Post p) throws IOException {
        out.writeByte(POST);
        writeString(out, p.threadId());
        writeString(out, p.community());
        writeString(out, p.prompt());
        writeString(out, p.author());
        out.writeInt(p.score());
        out.writeLong(p.createdUtc());
        out.writeByte((p.edited() ? 1 : 0) | (p.nsfw() ? 2 : 0) | (p.removed() ? 4 : 0) | (p.selfPost() ? 8 : 0));
        out.writeInt(p.rankedReplies().size());
        for (String r : p.rankedReplies()) writeString(out, r);
        writeString(out, p.acceptedReply());
        out.writeInt(fileId(p.file()));
        out.writeLong(p.line());
    }

    private Post readPost(DataInputStream in) throws IOException {
        String threadId = readString(in);
        String community = readString(in);
        String prompt = readString(in);
        String author = readString(in);
        int score = in.readInt();
        long created = in.readLong();
        int flags = in.readByte();
        int n = in.readInt();
        List<String> ranked = new ArrayList<>(n);
        for (int i = 0; i < n; i++) ranked.add(readString(in));
        String accepted = readString(in);
        String file = fileNames.get(in.readInt());
        long line = in.readLong();
        return new Post(threadId, community, prompt, author, score, created, (flags & 1) != 0, (flags & 2) != 0,
                (flags & 4) != 0, (flags & 8) != 0, ranked, accepted, file, line);
    }

    private static void writeSkippedPost(DataOutputStream out, String threadId, SkipReason reason) throws IOException {
        out.writeByte(SKIPPED_POST);
        writeString(out, threadId);
        out.writeShort(reason.ordinal());
    }

    private void writeComment(DataOutputStream out, Comment c) throws IOException {
        out.writeByte(COMMENT);
        writeString(out, c.id());
        writeString(out, c.threadId());
        writeString(out, c.parentId());
        writeString(out, c.text());
        writeString(out, c.author());
        out.writeInt(c.score());
        out.writeLong(c.createdUtc());
        out.writeInt(c.depth());
        out.writeBoolean(c.accepted());
        out.writeInt(fileId(c.file()));
        out.writeLong(c.line());
    }

    private Comment readComment(DataInputStream in) throws IOException {
        return new Comment(readString(in), readString(in), readString(in), readString(in), readString(in),
                in.readInt(), in.readLong(), in.readInt(), in.readBoolean(), fileNames.get(in.readInt()), in.readLong());
    }

    private int fileId(String file) {
        return fileIds.computeIfAbsent(file, f -> {
            fileNames.add(f);
            return fileNames.size() - 1;
        });
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
