package plaudit.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import plaudit.UserError;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.report.MetricsLog;
import plaudit.train.ppo.CharTokenizer;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loss that became NaN on the third step was reported "at step 2" (the 0-based index), while metrics.csv and the
 * progress bar number that step 3: every trainer now names the step as metrics.csv does.
 */
@Tag("adversarial")
class HostileLossTest {
    private static final GptConfig MODEL = new GptConfig(1, 2, 16, 24, new CharTokenizer().vocabSize(), 0.0);

    @Test
    void aNonFiniteLossNamesTheStepAsMetricsCsvDoes() {
        try (Gpt model = Gpt.init(MODEL, Device.cpu(), 1); MetricsLog log = new MetricsLog("t", null)) {
            model.setTrainable(true);
            SupervisedLoop.Settings s = new SupervisedLoop.Settings("t", 4, LrSchedule.constant(1e-3), 1.0, 1, 0, 1,
                    CheckpointSettings.of(new SftTrainer.Config(4, 1, 1e-3, 0, 0, 1.0, 4, 0, 1)));
            UserError e = assertThrows(UserError.class, () -> SupervisedLoop.run(s, model, Map.of(),
                    AdamW.of(model.parameters(), 0), new NanOnThirdBatch(model), log, SupervisedLoop.Control.NONE));
            assertTrue(e.getMessage().startsWith("loss became NaN at step 3;"), e.getMessage());
        }
    }

    /** Next-token loss on one fixed window; NaN on the third batch drawn. */
    private static final class NanOnThirdBatch implements SupervisedLoop.Task<Integer> {
        private final Gpt model;
        private int drawn;

        NanOnThirdBatch(Gpt model) {
            this.model = model;
        }

        @Override
        public Integer draw(SplittableRandom rng) {
            return ++drawn;
        }

        @Override
        public NDArray loss(NDManager scope, Integer batch, int micro, Map<String, Number> metrics) {
            NDArray[] xy = LmTrainer.inputsAndTargets(scope, new int[][] {{1, 2, 3, 4, 5}});
            NDArray loss = model.loss(xy[0], xy[1], null, true);
            return batch == 3 ? loss.mul(Float.NaN) : loss;
        }

        @Override
        public List<String> heldOutMetrics() {
            return List.of("val_loss");
        }

        @Override
        public Map<String, Number> evaluate() {
            return Map.of("val_loss", 0.0);
        }
    }
}
