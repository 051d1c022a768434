package plaudit.bench;

import ai.djl.Device;
import com.sun.management.ThreadMXBean;
import plaudit.bench.PytorchBench.Sizes;
import plaudit.model.Generator;
import plaudit.model.Gpt;
import plaudit.model.SamplingConfig;
import plaudit.train.AdamW;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the time and memory of the workloads of {@code bench --against pytorch} go, on Plaudit's side: per unit of
 * work (a decode step, a scoring pass, a training step, a PPO step) the wall time, the ATen ops called from Java and
 * run in all ({@link OpProfile}), the JVM heap allocated, how far the resident set rose above where it started (its
 * high-water mark reset first) and how much of that it kept, and the ops with the most self time.
 * Each workload runs once to warm up, three times timed, then once under PyTorch's profiler.
 */
public final class ProfileBench {
    private static final int TIMED = 3;

    private ProfileBench() {
    }

    /** One workload: {@code units} units of work per run. */
    private record Work(String name, String unit, double units, Runnable run) {
    }

    public static Table run(ModelBench.Scale scale, Device device) {
        Sizes z = Sizes.of(scale, 0);
        StringColumn workload = StringColumn.create("workload"), unit = StringColumn.create("unit");
        DoubleColumn ms = DoubleColumn.create("ms_per_unit"), calls = DoubleColumn.create("aten_calls_per_unit");
        DoubleColumn ops = DoubleColumn.create("aten_ops_per_unit"), alloc = DoubleColumn.create("jvm_alloc_kb_per_unit");
        DoubleColumn rise = DoubleColumn.create("rss_peak_rise_mb"), kept = DoubleColumn.create("rss_kept_mb");
        StringColumn top = StringColumn.create("most_self_time");
        try (Gpt model = Gpt.init(z.cfg(), device, 1234); PpoModels ppo = new PpoModels(z, model, device)) {
            for (Work w : works(z, model, ppo, device)) {
                System.err.println("bench profile: " + w.name);
                w.run.run(); // warm-up
                double[] seconds = new double[TIMED];
                long allocated = 0;
                double peakRise = 0, keptMb = 0;
                for (int i = 0; i < TIMED; i++) {
                    long rss = PpoBench.rssBytes("VmRSS:");
                    resetPeak();
                    long heap = allocatedBytes();
                    long t0 = System.nanoTime();
                    w.run.run();
                    seconds[i] = (System.nanoTime() - t0) / 1e9;
                    allocated += allocatedBytes() - heap;
                    peakRise = Math.max(peakRise, (PpoBench.peakRssBytes() - rss) / (double) (1 << 20));
                    keptMb = (PpoBench.rssBytes("VmRSS:") - rss) / (double) (1 << 20);
                }
                OpProfile p = OpProfile.of(w.run);
                workload.append(w.name);
                unit.append(w.unit);
                ms.append(round(ModelBench.median(seconds) * 1000 / w.units));
                calls.append(round(p.calls() / w.units));
                ops.append(round(p.ops() / w.units));
                alloc.append(round(allocated / 1024.0 / TIMED / w.units));
                rise.append(round(peakRise));
                kept.append(round(keptMb));
                top.append(p.top(5));
            }
        }
        return Table.create("Profile — " + z.cfg() + "; shares of self time under PyTorch's profiler", workload, unit, ms,
                calls, ops, alloc, rise, kept, top);
    }

    private static List<Work> works(Sizes z, Gpt model, PpoModels ppo, Device device) {
        List<Work> w = new ArrayList<>();
        for (int batch : new int[] {1, 16}) {
            List<int[]> prompts = PytorchBench.prompts(batch, z.genPrompt(), z.cfg().vocabSize(), 2);
            SamplingConfig sc = new SamplingConfig(z.genNew(), 1.0, 0, 1.0, -1, 3);
            w.add(new Work("generate B=" + batch + " kv-cache", "decode step", z.genNew(),
                    () -> Generator.generate(model, prompts, sc, true)));
        }
        int seq = z.ppoPrompt() + z.ppoResponse();
        w.add(new Work("score ref+value+RM B=" + z.scoreBatch() + " T=" + seq, "scoring pass", 1,
                () -> ppo.score(seq)));
        model.setTrainable(true);
        AdamW opt = AdamW.of(model.parameters(), 0.1);
        w.add(new Work("train step B=" + z.trainBatch() + " T=" + z.trainSeq(), "training step", 1,
                () -> PytorchBench.trainStep(model, opt, z, device)));
        w.add(new Work("ppo step B=" + z.ppoBatch() + " prompt " + z.ppoPrompt() + " response " + z.ppoResponse(),
                "PPO step", 1, () -> ppo.trainer.step(null)));
        return w;
    }

    /** Resets this process's resident-set high-water mark (Linux; elsewhere nothing happens). */
    private static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux: the peak rise then counts from the start of the process
        }
    }

    private static long allocatedBytes() {
        return ((ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static double round(double x) {
        return Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 100) / 100.0;
    }
}
