package plaudit.cli;

import ai.djl.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.bench.DataBench;
import plaudit.bench.HostileBench;
import plaudit.bench.LoraBench;
import plaudit.bench.ModelBench;
import plaudit.bench.PpoBench;
import plaudit.bench.ProfileBench;
import plaudit.bench.PytorchBench;
import plaudit.model.Devices;
import plaudit.report.Tables;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code plaudit bench}: speed tables for this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks, printed as a table (and written as OUT/bench-<suite>.csv with --out).",
                "suite model: matmul GFLOP/s (the ceiling), training tokens/s, generation tokens/s with and without "
                        + "the KV cache, on a ~12M-parameter GPT (--scale full) or a smoke-sized one (tiny).",
                "suite ppo: one PPO step broken down (rollout, scoring, ref + value forward, update), model and "
                        + "optimizer memory of the four models, peak RSS.",
                "suite profile: where the time and memory of the --against pytorch workloads go on Plaudit's side: "
                        + "per decode step, scoring pass, training step and PPO step the wall time, ATen ops called "
                        + "from Java and run in all (PyTorch's profiler), JVM heap allocated, resident-set rise, and "
                        + "the ops with the most self time.",
                "suite data: Pushshift reader + comparison builder throughput (comments/s per core) and peak heap "
                        + "on a generated .zst dump of 1M comments (full) or 50k (tiny).",
                "suite hostile: what hostile input and load do to the processes a user runs, each case a plaudit "
                        + "command in a child JVM with a small heap (outcome, wall time, peak RSS): a Hacker News "
                        + "document larger than the heap, deep nesting, a 50 MB CSV field, a config.json with 100,000 "
                        + "layers, many samples, a chunked request body larger than the worker's heap, a second worker "
                        + "on one --data, many concurrent clients.",
                "suite lora: one PPO step on a random SmolLM2-135M-shaped Llama (--scale full; tiny: 2 layers), LoRA "
                        + "(rank 8, all linear projections, one base) against full fine-tuning (three copies), each in "
                        + "a child JVM: parameters trained, step seconds (median of --rounds after a warm-up), peak RSS, "
                        + "and the targets: one copy of the base weights, peak RSS <= 1.3x the estimate, LoRA >= 1.5x "
                        + "faster.",
                "--against pytorch: the same GPT, weights, batches and thread counts in PyTorch eager (Python, "
                        + "bench/pytorch_gpt.py), both sides timed in turns (more rounds for short workloads); writes "
                        + "OUT/bench.csv: medians with the min-max of the rounds, the ratio (> 1: Plaudit faster), "
                        + "the CPU other processes took, 'noisy' where the two sides' rounds overlap, and at full "
                        + "scale the targets. Needs scripts/setup-bench.sh."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--suite", defaultValue = "model", description = "model, ppo, profile, data, hostile or lora (default: ${DEFAULT-VALUE}).")
    String suite;
    @Option(names = "--scale", defaultValue = "full", description = "tiny or full (default: ${DEFAULT-VALUE}).")
    String scale;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;
    @Option(names = "--out", description = "Directory for the CSV of the table.")
    Path out;
    @Option(names = "--against", description = "pytorch: compare with PyTorch eager in Python side by side.")
    String against;
    @Option(names = "--rounds", defaultValue = "0",
            description = "Least timed rounds per workload with --against (default: 3 tiny, 5 full; short workloads get up to "
                    + "three times as many); timed PPO steps per "
                    + "mode with --suite lora (default: 3).")
    int rounds;
    /** Set by {@code --suite lora} for the child JVM that measures one mode (full or lora). */
    @Option(names = "--lora-mode", hidden = true)
    String loraMode;
    @Option(names = "--threads", defaultValue = "0",
            description = "Intra-op threads on both sides with --against (default: all cores).")
    int threads;
    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "Python with torch for --against pytorch (default: ${DEFAULT-VALUE}, Debian's).")
    String python;

    @Override
    public Integer call() throws Exception {
        ModelBench.Scale s = switch (scale.toLowerCase(Locale.ROOT)) {
            case "tiny" -> ModelBench.Scale.TINY;
            case "full" -> ModelBench.Scale.FULL;
            default -> throw new UserError("--scale " + scale + " is unknown; use tiny or full");
        };
        if (against != null) return against(s);
        if (loraMode != null) {
            System.out.println(LoraBench.child(s, Devices.parse(device), loraRounds(), loraMode));
            return 0;
        }
        Table t = switch (suite.toLowerCase(Locale.ROOT)) {
            case "model" -> ModelBench.run(s, Devices.parse(device));
            case "ppo" -> PpoBench.run(s, Devices.parse(device));
            case "profile" -> ProfileBench.run(s, Devices.parse(device));
            case "data" -> {
                Path work = Files.createTempDirectory("plaudit-bench-data");
                try {
                    yield DataBench.run(work, s == ModelBench.Scale.FULL ? 1_000_000 : 50_000);
                } finally {
                    deleteTree(work);
                }
            }
            case "hostile" -> {
                Path work = Files.createTempDirectory("plaudit-bench-hostile");
                try {
                    yield HostileBench.run(work, s == ModelBench.Scale.FULL ? HostileBench.Sizes.FULL
                            : HostileBench.Sizes.TINY);
                } finally {
                    deleteTree(work);
                }
            }
            case "lora" -> {
                Devices.parse(device); // a bad --device is the user's error here, not a child's failure
                Path work = Files.createTempDirectory("plaudit-bench-lora");
                try {
                    yield LoraBench.run(s, device, loraRounds(), work);
                } finally {
                    deleteTree(work);
                }
            }
            default -> throw new UserError("--suite " + suite + " is unknown; use model, ppo, profile, data, hostile or lora");
        };
        print(t, "bench-" + suite + ".csv");
        return 0;
    }

    private int loraRounds() {
        if (rounds < 0) throw new UserError("--rounds must be positive (0 = default)");
        return rounds > 0 ? rounds : 3;
    }

    private Integer against(ModelBench.Scale s) throws Exception {
        if (!against.equalsIgnoreCase("pytorch")) {
            throw new UserError("--against " + against + " is unknown; use --against pytorch");
        }
        if (rounds < 0 || threads < 0) throw new UserError("--rounds and --threads must be positive (0 = default)");
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Device dev = Devices.parse(device);
        Path work = Files.createTempDirectory("plaudit-bench-pytorch");
        Table t;
        try {
            t = PytorchBench.run(s, dev, rounds, n, python, work);
        } finally {
            deleteTree(work);
        }
        Path csv = print(t, "bench.csv");
        if (csv != null) System.out.println("wrote " + csv);
        return 0;
    }

    /** Prints the table and, with --out, writes it as OUT/FILE; the file written, or null without --out. */
    private Path print(Table t, String file) throws IOException {
        System.out.println(Tables.readable(t).print());
        if (out == null) return null;
        Files.createDirectories(out);
        Path csv = out.resolve(file);
        t.write().csv(csv.toFile());
        return csv;
    }

    /** Removes a benchmark's scratch folder and everything in it. */
    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
