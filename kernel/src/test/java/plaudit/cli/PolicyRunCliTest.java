package plaudit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.model.LoraSettings;
import plaudit.report.MetricsLog;
import plaudit.train.pg.PolicyGradientTrainer;
import plaudit.train.pg.Sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyRunCliTest {
    /** A run without gold logs {@code objective/gold} as NaN: its plot has no gold line; a run with gold keeps it. */
    @Test
    void plotsGoldOnlyWhenTheRunHasIt(@TempDir Path dir) throws IOException {
        PolicyRunCli.train("run", "no gold", new Logging(Double.NaN), into(dir.resolve("a")), 3);
        String noGold = Files.readString(dir.resolve("a/run.svg"));
        assertTrue(noGold.contains("objective/scores") && noGold.contains("objective/kl"), noGold);
        assertFalse(noGold.contains("objective/gold"), "a gold line without gold");

        PolicyRunCli.train("run", "gold", new Logging(0.5), into(dir.resolve("b")), 3);
        assertTrue(Files.readString(dir.resolve("b/run.svg")).contains("objective/gold"), "the gold line is missing");
    }

    /** Options writing to {@code out}, without checkpoints or resume. */
    private static PolicyRunOptions into(Path out) {
        PolicyRunOptions io = new PolicyRunOptions();
        io.stage = new StageOptions();
        io.stage.out = out;
        io.checkpointEvery = 0;
        return io;
    }

    /** Logs the columns the plot reads, {@code gold} as the gold score, without a model. */
    private static final class Logging implements PolicyGradientTrainer {
        private final double gold;
        private int step;

        Logging(double gold) {
            this.gold = gold;
        }

        @Override
        public int step() {
            return step;
        }

        @Override
        public void save(Path dir) {
            throw new AssertionError("checkpoints are off");
        }

        @Override
        public void resume(Path dir) {
            throw new AssertionError("not resumed");
        }

        @Override
        public void train(MetricsLog log, List<Sample> samples, IntConsumer afterStep) {
            while (step < 3) {
                step++;
                Map<String, Number> row = new LinkedHashMap<>();
                row.put("step", step);
                row.put("objective/kl", 0.1 * step);
                row.put("objective/scores", 0.2 * step);
                row.put("objective/gold", gold);
                log.log(row);
                afterStep.accept(step);
            }
        }
    }
}
