package plaudit.bench;

import com.github.luben.zstd.ZstdOutputStream;
import com.sun.management.OperatingSystemMXBean;
import plaudit.data.ComparisonsJsonl;
import plaudit.data.DataStats;
import plaudit.data.PairRules;
import plaudit.data.PairsJob;
import plaudit.data.Source;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Reading speed and memory of the data stage: generates a Pushshift-style dump (RS + RC, zstd with a long window
 * as Pushshift wrote them, comments time-sorted and interleaved across threads as in the real monthly files), then
 * reads it and builds comparisons end to end, writing the split files, after one untimed warm-up pass.
 * Reports comments per second of the (single) pipeline thread, comments per CPU-second of the whole process (GC and
 * JIT included: the per-core figure, robust to other processes sharing the machine), and the heap: peak used and
 * peak live after GC. Target: >= 200k comments/s per core with flat memory (threads are grouped on disk past a
 * fixed budget, so live heap does not grow with the dump).
 */
public final class DataBench {
    private static final String[] WORDS = ("the a to of and in is it you that for this with on was are be have not but "
            + "they at just like what so can if do your my all about there more would one out get people think when "
            + "time how up really them some because know which good make also than then only much pan heat garlic "
            + "oil salt water knife rice bread butter onion cook minutes oven recipe taste flavor sugar egg flour "
            + "sauce pasta steak chicken fresh brown burn thin thick slice boil fry bake roast season pepper lemon").split(" ");
    private static final String[] SUBREDDITS = {"AskCulinary", "Cooking", "AskScience", "explainlikeimfive",
            "AskHistorians", "personalfinance", "legaladvice", "askphilosophy", "AskEngineers", "NoStupidQuestions"};
    /** 2^28: above the 2^27 a default zstd decoder accepts, like Pushshift's 2^31, without a 2 GiB compressor window. */
    private static final int WINDOW_LOG = 28;
    private static final long T0 = 1_569_888_000L;
    private static final long MONTH = 30L * 24 * 3600;

    private DataBench() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("ai.djl.offline", "true");
        int[] sizes = args.length == 0 ? new int[] {1_000_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (int n : sizes) {
            Path dir = Files.createTempDirectory("plaudit-databench-");
            try {
                System.out.println(run(dir, n).printAll());
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    public static Table run(Path workDir, int comments) {
        try {
            Files.createDirectories(workDir);
            Path rs = workDir.resolve("RS_bench.zst");
            Path rc = workDir.resolve("RC_bench.zst");
            long t = System.nanoTime();
            long rawBytes = generate(rs, rc, Math.max(1, comments / 25), comments, new Random(42));
            double genSeconds = (System.nanoTime() - t) / 1e9;

            // One untimed pass first, so the figure is the JIT-compiled steady state (a real month is hours of
            // reading), not the compiler's work on the first million lines.
            new PairsJob(Source.REDDIT, List.of(rs, rc), PairRules.defaults()).run(c -> { });

            System.gc(); // so that the live-heap figure starts from this run's data alone
            HeapWatch heap = new HeapWatch();
            var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            PairsJob job = new PairsJob(Source.REDDIT, List.of(rs, rc), PairRules.defaults());
            DataStats stats;
            try (ComparisonsJsonl.SplitWriter out = new ComparisonsJsonl.SplitWriter(workDir.resolve("pairs"), false)) {
                stats = job.run(out);
                out.commit();
            }
            double seconds = (System.nanoTime() - wall0) / 1e9;
            double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
            long peakUsed = heap.peakUsed();
            heap.close();

            StringColumn metric = StringColumn.create("metric");
            DoubleColumn value = DoubleColumn.create("value");
            StringColumn unit = StringColumn.create("unit");
            Table table = Table.create("data bench: Pushshift .zst -> comparisons", metric, value, unit);
            long read = stats.read(DataStats.Unit.COMMENTS);
            row(table, "comments", read, "");
            row(table, "posts", stats.read(DataStats.Unit.POSTS), "");
            row(table, "input_zst", (Files.size(rs) + Files.size(rc)) / 1e6, "MB");
            row(table, "input_uncompressed", rawBytes / 1e6, "MB");
            row(table, "generate", genSeconds, "s");
            row(table, "read_and_pair", seconds, "s wall");
            row(table, "cpu", cpuSeconds, "s, all threads (pipeline, GC, JIT)");
            row(table, "comments_per_s", read / seconds, "comments/s wall, 1 pipeline thread");
            row(table, "comments_per_core_s", read / cpuSeconds, "comments per CPU-second");
            row(table, "peak_heap_used", peakUsed / 1e6, "MB, garbage included (upper bound)");
            row(table, "peak_live_heap", heap.peakLive() / 1e6, "MB, largest heap left after a GC");
            row(table, "max_heap", Runtime.getRuntime().maxMemory() / 1e6, "MB (-Xmx)");
            row(table, "spilled_to_disk", job.spilled() ? 1 : 0, "1 = threads grouped on disk (budget 128 MiB)");
            row(table, "comparisons", stats.kept(), "");
            return table;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Heap while open: the peak used (the sum of the heap pools' peaks, garbage included: an upper bound, read from
     * the JVM's own counters so that watching costs nothing) and the peak live (heap left after each collection).
     */
    private static final class HeapWatch implements AutoCloseable {
        private final AtomicLong live = new AtomicLong();
        private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        private final List<NotificationEmitter> emitters = new ArrayList<>();
        private final NotificationListener listener = (n, h) -> {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
            var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            long after = 0;
            for (MemoryPoolMXBean pool : heapPools) {
                var usage = info.getGcInfo().getMemoryUsageAfterGc().get(pool.getName());
                if (usage != null) after += usage.getUsed();
            }
            live.accumulateAndGet(after, Math::max);
        };

        HeapWatch() {
            heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter e) {
                    e.addNotificationListener(listener, null, null);
                    emitters.add(e);
                }
            }
        }

        long peakUsed() {
            return heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        }

        long peakLive() {
            return live.get();
        }

        @Override
        public void close() {
            for (var e : emitters) {
                try {
                    e.removeNotificationListener(listener);
                } catch (ListenerNotFoundException ignored) {
                    // already gone
                }
            }
        }
    }

    private static void row(Table t, String metric, double value, String unit) {
        t.stringColumn("metric").append(metric);
        t.doubleColumn("value").append(value);
        t.stringColumn("unit").append(unit);
    }

    /**
     * Writes posts (RS) and time-sorted comments (RC). Each comment goes to a recently created post (exponential
     * recency, mean 200 posts back), so threads interleave the way they do in a month of real comments.
     */
    static long generate(Path rs, Path rc, int posts, int comments, Random rnd) throws IOException {
        long raw = 0;
        StringBuilder sb = new StringBuilder(2048);
        try (Dump out = new Dump(rs)) {
            for (int p = 0; p < posts; p++) {
                sb.setLength(0);
                String id = postId(p);
                String sub = SUBREDDITS[p % SUBREDDITS.length];
                sb.append("{\"all_awardings\":[],\"archived\":false,\"author\":\"user").append(rnd.nextInt(200_000))
                        .append("\",\"created_utc\":").append(T0 + p * MONTH / posts)
                        .append(",\"domain\":\"self.").append(sub).append("\",\"edited\":")
                        .append(rnd.nextInt(30) == 0 ? String.valueOf(T0 + MONTH) : "false")
                        .append(",\"gilded\":0,\"id\":\"").append(id).append("\",\"is_self\":").append(rnd.nextInt(7) > 0)
                        .append(",\"num_comments\":25,\"over_18\":").append(rnd.nextInt(50) == 0)
                        .append(",\"permalink\":\"/r/").append(sub).append("/comments/").append(id)
                        .append("/\",\"retrieved_on\":").append(T0 + MONTH).append(",\"score\":").append(pareto(rnd, 3))
                        .append(",\"selftext\":\"");
                words(sb, rnd, 10 + rnd.nextInt(80));
                sb.append("\",\"stickied\":false,\"subreddit\":\"").append(sub).append("\",\"title\":\"");
                words(sb, rnd, 4 + rnd.nextInt(10));
                sb.append("?\"}\n");
                raw += out.line(sb);
            }
        }
        try (Dump out = new Dump(rc)) {
            for (int i = 0; i < comments; i++) {
                sb.setLength(0);
                long time = T0 + (long) i * MONTH / comments;
                int newest = (int) Math.min(posts - 1, (long) i * posts / comments);
                int post = Math.max(0, newest - (int) (-200 * Math.log(1 - rnd.nextDouble())));
                String link = "t3_" + postId(post);
                boolean top = rnd.nextInt(100) < 55;
                String parent = top ? link : "t1_" + Long.toString(36L * 36 * 36 * 36 + rnd.nextInt(Math.max(1, i)), 36);
                int kind = rnd.nextInt(100);
                String author = kind < 3 ? "[deleted]" : kind < 4 ? "AutoModerator" : "user" + rnd.nextInt(200_000);
                sb.append("{\"all_awardings\":[],\"author\":\"").append(author)
                        .append("\",\"author_flair_text\":null,\"body\":\"");
                if (kind < 3) sb.append("[deleted]");
                else if (kind < 5) sb.append("[removed]");
                else words(sb, rnd, 3 + rnd.nextInt(60));
                sb.append("\",\"controversiality\":0,\"created_utc\":").append(time)
                        .append(",\"distinguished\":null,\"edited\":false,\"gilded\":0,\"id\":\"")
                        .append(Long.toString(36L * 36 * 36 * 36 + i, 36)).append("\",\"is_submitter\":false,\"link_id\":\"")
                        .append(link).append("\",\"locked\":false,\"parent_id\":\"").append(parent)
                        .append("\",\"retrieved_on\":").append(time + 3600).append(",\"score\":").append(pareto(rnd, 1))
                        .append(",\"stickied\":false,\"subreddit\":\"").append(SUBREDDITS[post % SUBREDDITS.length])
                        .append("\",\"subreddit_id\":\"t5_2qh1i\"}\n");
                raw += out.line(sb);
            }
        }
        return raw;
    }

    private static String postId(int p) {
        return Long.toString(36L * 36 * 36 * 36 * 36 + p, 36);
    }

    /** Heavy-tailed vote counts: most comments sit near 1, a few collect hundreds. */
    private static int pareto(Random rnd, int scale) {
        return (int) (scale / Math.pow(1 - rnd.nextDouble(), 0.9)) - (rnd.nextInt(10) == 0 ? 3 : 0);
    }

    private static void words(StringBuilder sb, Random rnd, int n) {
        for (int w = 0; w < n; w++) {
            if (w > 0) sb.append(' ');
            sb.append(WORDS[rnd.nextInt(WORDS.length)]);
        }
    }

    /** A zstd dump file with Pushshift's long window; lines are ASCII here. */
    private static final class Dump implements AutoCloseable {
        private final ZstdOutputStream z;
        private final byte[] buf = new byte[1 << 16];

        Dump(Path file) throws IOException {
            OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            z = new ZstdOutputStream(out);
            z.setLevel(1);
            z.setLong(WINDOW_LOG);
            z.setWindowLog(WINDOW_LOG);
        }

        long line(StringBuilder sb) throws IOException {
            int n = sb.length();
            byte[] b = n <= buf.length ? buf : new byte[n];
            for (int i = 0; i < n; i++) b[i] = (byte) sb.charAt(i);
            z.write(b, 0, n);
            return n;
        }

        @Override
        public void close() throws IOException {
            z.close();
        }
    }
}
