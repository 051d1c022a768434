package plaudit.bench;

import ai.djl.Device;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import plaudit.model.LlamaConfig;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code plaudit bench --suite lora}: one PPO step on a random SmolLM2-135M-shaped Llama, LoRA against full
 * fine-tuning, each mode in a child JVM of its own ({@link LoraStep}) so that its peak RSS is its alone. The table
 * checks the three targets for LoRA: one copy of the base weights, peak RSS within 1.3× the estimate
 * (baseline + weights + trained × (grads + 2 AdamW moments) + activations), and a step at least 1.5× faster than
 * full fine-tuning. A missed target is printed as such.
 */
public final class LoraBench {
    /** The line a child prints its result on, the one the parent reads. */
    static final String RESULT = "lora-bench-result ";
    static final double RSS_TARGET = 1.3;
    static final double SPEEDUP_TARGET = 1.5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoraBench() {
    }

    /** SmolLM2-135M's config.json (LlamaConfigTest has it), or a few-layer model with a small vocabulary for tests. */
    static LoraStep.Shapes shapes(ModelBench.Scale scale) {
        if (scale == ModelBench.Scale.TINY) {
            return new LoraStep.Shapes(new LlamaConfig("llama", 256, 64, 128, 2, 4, 2, 16, 256, 1e-5, 100000, null, true,
                    false, false), 4, 2, 8, 8);
        }
        return new LoraStep.Shapes(new LlamaConfig("llama", 49152, 576, 1536, 30, 9, 3, 64, 8192, 1e-5, 100000, null,
                true, false, false), 8, 4, 32, 32);
    }

    /** The parent: both modes, each in a child JVM, as one table. */
    public static Table run(ModelBench.Scale scale, String device, int rounds, Path work) {
        LoraStep.Shapes s = shapes(scale);
        List<LoraStep.Result> results = new ArrayList<>();
        for (LoraStep.Mode mode : LoraStep.Mode.values()) {
            // each mode is minutes of silence in a child at full scale: say what runs, and what it took
            System.err.printf("bench lora: %s, %d timed PPO steps after a warm-up, in a child JVM...%n", mode.key(),
                    rounds);
            ChildJvm.Result r = ChildJvm.run(work.resolve(mode.key()), "2g",
                    Duration.ofMinutes(scale == ModelBench.Scale.FULL ? 60 : 5),
                    List.of("bench", "--suite", "lora", "--scale", scale.name().toLowerCase(Locale.ROOT), "--device",
                            device, "--rounds", Integer.toString(rounds), "--lora-mode", mode.key()));
            results.add(parse(mode, r));
            System.err.printf("bench lora: %s done in %.0f s, peak RSS %.0f MiB%n", mode.key(), r.seconds(),
                    r.peakRssMb());
        }
        return table(s, rounds, results.get(0), results.get(1));
    }

    /** The child: one mode measured, as the result line the parent reads. */
    public static String child(ModelBench.Scale scale, Device device, int rounds, String mode) {
        LoraStep.Mode m = LoraStep.Mode.valueOf(mode.toUpperCase(Locale.ROOT));
        try {
            return RESULT + JSON.writeValueAsString(LoraStep.run(m, shapes(scale), device, rounds));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LoraStep.Result parse(LoraStep.Mode mode, ChildJvm.Result r) {
        String line = r.stdout().lines().filter(l -> l.startsWith(RESULT)).findFirst().orElse(null);
        if (r.rc() != 0 || line == null) {
            throw new IllegalStateException("the " + mode.key() + " child JVM " + (r.timedOut() ? "timed out" : "exited "
                    + r.rc()) + " without a result: " + r.firstErrorLine());
        }
        try {
            LoraStep.Result res = JSON.readValue(line.substring(RESULT.length()), LoraStep.Result.class);
            // the parent's samples of the child's high-water mark see its whole life, the child's own reading too
            return new LoraStep.Result(res.mode(), res.trainedParameters(), res.stepSeconds(), res.baseCopies(),
                    res.baselineMb(), res.weightsMb(), res.trainedMb(), res.activationsMb(),
                    Math.max(res.peakMb(), r.peakRssMb()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the " + mode.key() + " child printed an unreadable result: " + line, e);
        }
    }

    static Table table(LoraStep.Shapes s, int rounds, LoraStep.Result full, LoraStep.Result lora) {
        StringColumn mode = StringColumn.create("mode");
        DoubleColumn trained = DoubleColumn.create("parameters trained");
        DoubleColumn step = DoubleColumn.create("step s");
        DoubleColumn peak = DoubleColumn.create("peak RSS MiB");
        DoubleColumn copies = DoubleColumn.create("base copies");
        DoubleColumn baseline = DoubleColumn.create("baseline MiB");
        DoubleColumn weights = DoubleColumn.create("weights MiB");
        DoubleColumn state = DoubleColumn.create("grads+AdamW MiB");
        DoubleColumn activations = DoubleColumn.create("activations MiB");
        DoubleColumn estimate = DoubleColumn.create("estimate MiB");
        DoubleColumn ratio = DoubleColumn.create("RSS/estimate");
        DoubleColumn speedup = DoubleColumn.create("speed-up");
        StringColumn copiesTarget = StringColumn.create("1 copy");
        StringColumn rssTarget = StringColumn.create("RSS <= 1.3x");
        StringColumn speedTarget = StringColumn.create("speed-up >= 1.5x");
        double fullStep = ModelBench.median(full.stepSeconds());
        for (LoraStep.Result r : List.of(full, lora)) {
            boolean isLora = r == lora;
            double median = ModelBench.median(r.stepSeconds());
            double rr = r.peakMb() / r.estimateMb();
            double up = fullStep / median;
            mode.append(r.mode());
            trained.append(r.trainedParameters());
            step.append(median);
            peak.append(r.peakMb());
            copies.append(r.baseCopies());
            baseline.append(r.baselineMb());
            weights.append(r.weightsMb());
            state.append(3 * r.trainedMb());
            activations.append(r.activationsMb());
            estimate.append(r.estimateMb());
            ratio.append(rr);
            speedup.append(up);
            // the targets are LoRA's; full fine-tuning is the reference they are measured against
            copiesTarget.append(isLora ? met(r.baseCopies() <= 1) : "-");
            rssTarget.append(isLora ? met(rr <= RSS_TARGET) : "-");
            speedTarget.append(isLora ? met(up >= SPEEDUP_TARGET) : "-");
        }
        LlamaConfig c = s.model();
        String title = String.format(Locale.ROOT, "One PPO step, LoRA (r %d, %s) vs full fine-tuning — random %s "
                        + "(%.1fM parameters), batch %d, minibatch %d, prompt %d + response %d tokens, step s = median "
                        + "of %d after a warm-up; activations = RSS rise over one minibatch's forward+backward",
                LoraStep.LORA.rank(), LoraStep.LORA.targets(), c.describe(), c.parameterCount() / 1e6, s.batch(),
                s.miniBatch(), s.promptTokens(), s.responseTokens(), rounds);
        return Table.create(title, mode, trained, step, peak, copies, baseline, weights, state, activations, estimate,
                ratio, speedup, copiesTarget, rssTarget, speedTarget);
    }

    private static String met(boolean ok) {
        return ok ? "met" : "NOT met";
    }
}
