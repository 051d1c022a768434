package plaudit.run;

import plaudit.report.Plot;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an {@link Experiment} produced. Every table and plot is also written under {@link #out()}.
 *
 * @param summary     one row per headline number (metric, value)
 * @param data        statistics of the comparison building (read, skipped by reason, kept per split)
 * @param metrics     each stage's training log by stage name ({@code pretrain}, {@code sft}, {@code rm}, {@code ppo})
 * @param samples     PPO's sampled responses by run name: step, prompt, response, score (the reward) and gold
 * @param bestOfN     best-of-n from SFT: n, KL (nats), gold and reward of the chosen samples; null when not run
 * @param plots       the plots by name
 * @param checkpoints saved models by name ({@code sft}, {@code rm})
 * @param out         the folder holding all of it
 */
public record ExperimentResult(Table summary, Table data, Map<String, Table> metrics, Map<String, Table> samples,
                               Table bestOfN, Map<String, Plot> plots, Map<String, Path> checkpoints, Path out) {
    public ExperimentResult {
        metrics = ordered(metrics);
        samples = ordered(samples);
        plots = ordered(plots);
        checkpoints = ordered(checkpoints);
    }

    private static <V> Map<String, V> ordered(Map<String, V> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /** The value of one summary metric, or NaN if the run did not produce it. */
    public double value(String metric) {
        for (int i = 0; i < summary.rowCount(); i++) {
            if (summary.stringColumn("metric").get(i).equals(metric)) return summary.doubleColumn("value").get(i);
        }
        return Double.NaN;
    }
}
