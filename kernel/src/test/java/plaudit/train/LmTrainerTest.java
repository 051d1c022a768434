package plaudit.train;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.report.MetricsLog;
import plaudit.text.BpeTrainer;
import plaudit.text.ByteLevelBpe;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LmTrainerTest {
    private static final List<String> DOCS = corpus();
    private static final ByteLevelBpe TOK = BpeTrainer.train(DOCS, BpeTrainer.Config.of(300));
    private static final TokenCorpus DATA = TokenCorpus.of(DOCS, TOK, 10);

    /** A repetitive little corpus a tiny model can learn in a few dozen steps. */
    static List<String> corpus() {
        SplittableRandom rng = new SplittableRandom(1);
        String[] nouns = {"cat", "dog", "bird", "fish"};
        String[] verbs = {"sees", "likes", "chases"};
        List<String> docs = new ArrayList<>();
        for (int d = 0; d < 60; d++) {
            StringBuilder sb = new StringBuilder();
            for (int s = 0; s < 6; s++) {
                sb.append("the ").append(nouns[rng.nextInt(4)]).append(' ').append(verbs[rng.nextInt(3)])
                  .append(" the ").append(nouns[rng.nextInt(4)]).append(". ");
            }
            docs.add(sb.toString().strip());
        }
        return docs;
    }

    @Test
    void lossFallsAndNativeMemoryStaysFlat() {
        GptConfig cfg = new GptConfig(2, 2, 32, 32, TOK.vocabSize(), 0.1);
        LmTrainer.Config tc = new LmTrainer.Config(40, 8, 2, 32, new LrSchedule(3e-3, 3e-4, 5, 40), 0.1, 1.0,
                20, 2, 5);
        try (Gpt model = Gpt.init(cfg, Device.cpu(), 1);
             MetricsLog log = new MetricsLog("lm", null)) {
            int[] arrays = new int[2];
            LmTrainer.train(model, DATA, tc, log, 1, (step, opt) -> {
                if (step == 5) arrays[0] = model.manager().getManagedArrays().size();
                if (step == 40) arrays[1] = model.manager().getManagedArrays().size();
            });
            Table t = log.table();
            assertEquals(40, t.rowCount());
            double first = t.doubleColumn("loss").get(0);
            double lastVal = t.doubleColumn("val_loss").get(39);
            assertTrue(lastVal < first - 2, "held-out loss " + lastVal + " should be well below the initial " + first);
            assertEquals(arrays[0], arrays[1], "native arrays accumulated in the model's manager across steps");
        }
    }

    @Test
    void sameSeedSameRun() {
        GptConfig cfg = new GptConfig(1, 2, 16, 16, TOK.vocabSize(), 0.1);
        LmTrainer.Config tc = new LmTrainer.Config(5, 4, 1, 16, LrSchedule.constant(1e-3), 0.0, 1.0, 5, 1, 9);
        double[] losses = new double[2];
        for (int run = 0; run < 2; run++) {
            try (Gpt model = Gpt.init(cfg, Device.cpu(), 2);
                 MetricsLog log = new MetricsLog("lm", null)) {
                LmTrainer.train(model, DATA, tc, log, 0, null);
                losses[run] = log.table().doubleColumn("val_loss").get(4);
            }
        }
        assertEquals(losses[0], losses[1], 0.0, "a seeded run (dropout included) is reproducible");
    }
}
