package plaudit.train;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import plaudit.data.Comparison;
import plaudit.data.Split;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.report.MetricsLog;
import plaudit.train.ppo.CharTokenizer;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DPO on a tiny random model, comparisons that always prefer a reply of x's to a reply of y's: the implicit reward
 * margin starts at 0 (policy = reference) and grows on held-out prompts; the reference stays untouched.
 */
class DpoTrainerTest {

    static List<Comparison> pairs(List<String> prompts, Split split) {
        List<Comparison> out = new ArrayList<>();
        for (String p : prompts) {
            out.add(new Comparison(p, " xx x", " yy y", 2, 1, p, "reddit", split, Double.NaN));
            out.add(new Comparison(p, " x xx", " y yy", 2, 1, p, "reddit", split, Double.NaN));
        }
        return out;
    }

    @Test
    void raisesTheChosenVersusRejectedMargin() {
        CharTokenizer tok = new CharTokenizer();
        GptConfig gc = new GptConfig(1, 2, 32, 24, tok.vocabSize(), 0.0);
        List<Comparison> train = pairs(List.of("say ", "hello ", "the cat ", "a dog "), Split.TRAIN);
        List<Comparison> val = pairs(List.of("we ", "so the "), Split.VAL);
        DpoTrainer.Config cfg = new DpoTrainer.Config(30, 8, 1e-2, 0.1, 1.0, 8, 10, 5);
        try (Gpt policy = Gpt.init(gc, Device.cpu(), 3);
             Gpt ref = Gpt.fromParameters(gc, policy.parameters(), Device.cpu())) {
            List<float[]> refBefore = ref.parameters().values().stream().map(a -> a.toFloatArray()).toList();
            DpoTrainer dpo = new DpoTrainer(policy, ref, tok, train, val, cfg);
            double[] before = dpo.evaluate();
            MetricsLog log = new MetricsLog("dpo", null);
            dpo.train(log);
            double[] after = dpo.evaluate();
            Table t = log.table();

            assertEquals(Math.log(2), before[0], 1e-5, "policy = reference: loss log 2");
            assertEquals(0, before[2], 1e-6, "policy = reference: margin 0");
            assertEquals(0, t.doubleColumn("rewards/margins").get(0), 1e-6, "first step starts from the reference");
            assertTrue(after[2] > 0.3, "held-out margin grew, got " + after[2]);
            assertEquals(1.0, after[1], 1e-9, "held-out accuracy");
            assertTrue(after[0] < before[0] - 0.1, "held-out loss fell from " + before[0] + " to " + after[0]);
            assertTrue(t.doubleColumn("rewards/chosen").get(t.rowCount() - 1)
                    > t.doubleColumn("rewards/rejected").get(t.rowCount() - 1));
            assertEquals(after[2], t.doubleColumn("eval_rewards/margins").get(t.rowCount() - 1), 1e-6);
            List<float[]> refAfter = ref.parameters().values().stream().map(a -> a.toFloatArray()).toList();
            for (int i = 0; i < refBefore.size(); i++) {
                assertArrayEquals(refBefore.get(i), refAfter.get(i), "the reference is frozen");
            }
        }
    }
}
