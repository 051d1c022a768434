package plaudit.train.ppo;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.data.RewardFunction;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static plaudit.train.ppo.PpoConfig.ANNEAL_LR;
import static plaudit.train.ppo.PpoConfig.AVERAGE_TAIL;
import static plaudit.train.ppo.PpoConfig.BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.KL_COEF;
import static plaudit.train.ppo.PpoConfig.LR;
import static plaudit.train.ppo.PpoConfig.MINI_BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.PPO_EPOCHS;
import static plaudit.train.ppo.PpoConfig.RESPONSE_LENGTH;
import static plaudit.train.ppo.PpoConfig.SAMPLE_EVERY;
import static plaudit.train.ppo.PpoConfig.SEED;
import static plaudit.train.ppo.PpoConfig.SHARED_TRUNK;
import static plaudit.train.ppo.PpoConfig.STEPS;

/**
 * End-to-end PPO on a tiny random model with a trivial reward ("say x"): the fraction of 'x' in the response must
 * climb from chance (~1/29) well above it within a few dozen steps, and the KL to the reference must grow from 0.
 */
class PpoSmokeTest {

    static final RewardFunction SAY_X = (prompt, response) ->
            response.isEmpty() ? 0 : response.chars().filter(c -> c == 'x').count() / (double) response.length();

    static PpoConfig config(int steps) {
        return PpoConfig.SETTINGS.builder().set(STEPS, steps).set(BATCH_SIZE, 16).set(MINI_BATCH_SIZE, 8).set(PPO_EPOCHS, 4).set(LR, 3e-3)
                .set(RESPONSE_LENGTH, 8).set(KL_COEF, 0.01).set(SEED, 7L).set(SAMPLE_EVERY, 0).build();
    }

    static MetricsLog run(PpoConfig cfg) {
        try (Fixture f = new Fixture(cfg.sharedTrunk())) {
            MetricsLog log = new MetricsLog("ppo", null);
            f.trainer(cfg).train(log, new ArrayList<>(), null);
            return log;
        }
    }

    /** With annealing, step k (0-based) of n updates at lr·(1 − k/n): the logged lr is the one the optimiser used. */
    @Test
    void annealedLearningRateDecaysLinearlyToZero() {
        PpoConfig cfg = config(4).toBuilder().set(ANNEAL_LR, true).build();
        Table t = run(cfg).table();
        double[] lr = t.doubleColumn("lr").asDoubleArray();
        assertEquals(4, lr.length);
        for (int k = 0; k < 4; k++) assertEquals(3e-3 * (4 - k) / 4, lr[k], 1e-12, "step " + (k + 1));
        assertEquals(3e-3, config(4).lrAt(3), 0.0, "without annealing the rate stays put");
    }

    /** Kill after 3 steps, resume from the checkpoint: steps 4–6 give exactly the metrics of an uninterrupted run. */
    @ParameterizedTest(name = "shared trunk: {0}")
    @ValueSource(booleans = {false, true})
    void resumeContinuesToTheSameMetrics(boolean sharedTrunk, @TempDir Path dir) {
        PpoConfig cfg = config(6).toBuilder().set(SHARED_TRUNK, sharedTrunk).build();
        Table straight = run(cfg).table();
        CharTokenizer tok = new CharTokenizer();
        GptConfig gc = new GptConfig(1, 2, 32, 24, tok.vocabSize(), 0.0);
        List<String> prompts = List.of("say ", "hello ", "the cat ", "a dog ");
        Path ckpt = dir.resolve("ppo");
        Table resumed;
        try (Gpt policy = Gpt.init(gc, Device.cpu(), 3);
             Gpt ref = Gpt.fromParameters(gc, policy.parameters(), Device.cpu());
             ScoreModel value = sharedTrunk ? null
                     : ScoreModel.withNewHead(Gpt.fromParameters(gc, policy.parameters(), Device.cpu()), 5)) {
            PpoTrainer first = new PpoTrainer(policy, ref, value, SAY_X, null, tok, prompts, cfg.toBuilder().set(STEPS, 3).build());
            first.train(new MetricsLog("ppo", null), new ArrayList<>(), null);
            first.save(ckpt);
        }
        try (Gpt ref = Gpt.init(gc, Device.cpu(), 3);                         // the frozen SFT model, as at the start
             Gpt policy = Gpt.init(gc, Device.cpu(), 99);                     // overwritten by resume
             ScoreModel value = sharedTrunk ? null : ScoreModel.withNewHead(Gpt.init(gc, Device.cpu(), 98), 97)) {
            PpoTrainer second = new PpoTrainer(policy, ref, value, SAY_X, null, tok, prompts, cfg);
            second.resume(ckpt);
            assertEquals(3, second.step());
            MetricsLog log = new MetricsLog("ppo", null);
            second.train(log, new ArrayList<>(), null);
            resumed = log.table();
        }
        assertEquals(3, resumed.rowCount());
        for (String col : List.of("objective/scores", "objective/kl", "loss/policy_avg", "loss/value_avg", "kl_coef")) {
            for (int i = 0; i < 3; i++) {
                assertEquals(straight.doubleColumn(col).get(i + 3), resumed.doubleColumn(col).get(i), 1e-6,
                        col + " at step " + (i + 4));
            }
        }
    }

    /**
     * With {@code average_tail} 0.5 over 4 steps the run ends on the mean of its iterates after steps 3 and 4; the
     * iterates themselves are those of a run without averaging (averaging does not change what training does).
     */
    @Test
    void averagedRunEndsOnTheMeanOfItsTail() {
        float[][] last = new float[5][];
        float[] averaged;
        try (Fixture plain = new Fixture(); Fixture avg = new Fixture()) {
            PpoTrainer a = plain.trainer(config(4));
            a.train(new MetricsLog("ppo", null), null, step -> last[step] = plain.policy.parameters().get(PROBE).toFloatArray());
            avg.trainer(config(4).toBuilder().set(AVERAGE_TAIL, 0.5).build()).train(new MetricsLog("ppo", null), null, null);
            averaged = avg.policy.parameters().get(PROBE).toFloatArray();
        }
        float[] expected = new float[averaged.length];
        for (int i = 0; i < expected.length; i++) expected[i] = (last[3][i] + last[4][i]) / 2;
        assertArrayEquals(expected, averaged, 1e-6f);
        assertTrue(maxAbsDiff(last[3], last[4]) > 1e-4, "the iterates moved, so the mean differs from the last one");
    }

    /** A run averaging steps 2–6, killed after step 3 and resumed, ends on the same weights as an uninterrupted run. */
    @Test
    void resumedAveragedRunEndsOnTheSameWeights(@TempDir Path dir) {
        PpoConfig cfg = config(6).toBuilder().set(AVERAGE_TAIL, 0.75).build(); // averages after step 1: 2 iterates at the kill
        float[] straight, resumed;
        try (Fixture f = new Fixture()) {
            f.trainer(cfg).train(new MetricsLog("ppo", null), null, null);
            straight = f.policy.parameters().get(PROBE).toFloatArray();
        }
        try (Fixture f = new Fixture()) {
            PpoTrainer first = f.trainer(cfg);
            for (int i = 0; i < 3; i++) first.step(null);
            first.save(dir.resolve("ckpt"));
        }
        try (Fixture f = new Fixture()) {
            PpoTrainer second = f.trainer(cfg);
            second.resume(dir.resolve("ckpt"));
            second.train(new MetricsLog("ppo", null), null, null);
            resumed = f.policy.parameters().get(PROBE).toFloatArray();
        }
        assertArrayEquals(straight, resumed, 1e-6f);
    }

    private static final String PROBE = "transformer.h.0.mlp.c_fc.weight";

    private static double maxAbsDiff(float[] x, float[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
        return d;
    }

    /**
     * The tiny policy, reference (a copy of the policy's start) and value network the runs here start from; no value
     * network with a shared trunk.
     */
    private static final class Fixture implements AutoCloseable {
        final CharTokenizer tok = new CharTokenizer();
        final GptConfig gc = new GptConfig(1, 2, 32, 24, tok.vocabSize(), 0.0);
        final Gpt policy = Gpt.init(gc, Device.cpu(), 3);
        final Gpt ref = Gpt.fromParameters(gc, policy.parameters(), Device.cpu());
        final ScoreModel value;

        Fixture() {
            this(false);
        }

        Fixture(boolean sharedTrunk) {
            value = sharedTrunk ? null : ScoreModel.withNewHead(Gpt.fromParameters(gc, policy.parameters(), Device.cpu()), 5);
        }

        PpoTrainer trainer(PpoConfig cfg) {
            return trainer(cfg, List.of("say ", "hello ", "the cat ", "a dog "));
        }

        PpoTrainer trainer(PpoConfig cfg, List<String> prompts) {
            return new PpoTrainer(policy, ref, value, SAY_X, null, tok, prompts, cfg);
        }

        @Override
        public void close() {
            if (value != null) value.close();
            ref.close();
            policy.close();
        }
    }

    /** Ten PPO steps leave the policy's and value network's managers with the arrays they started with. */
    @Test
    void nativeMemoryStaysFlatAcrossSteps() {
        try (Fixture f = new Fixture()) {
            PpoTrainer ppo = f.trainer(config(10), List.of("say "));
            int[] counts = new int[11];
            ppo.train(new MetricsLog("ppo", null), null, step -> counts[step] = f.policy.manager().getManagedArrays().size()
                    + f.value.manager().getManagedArrays().size() + f.ref.manager().getManagedArrays().size());
            assertEquals(counts[2], counts[10], "arrays accumulated across PPO steps");
        }
    }

    @ParameterizedTest(name = "shared trunk: {0}")
    @ValueSource(booleans = {false, true})
    void learnsToSayX(boolean sharedTrunk) {
        Table t = run(config(40).toBuilder().set(SHARED_TRUNK, sharedTrunk).build()).table();
        double first = t.doubleColumn("objective/scores").get(0);
        double last = t.doubleColumn("objective/scores").where(t.doubleColumn("step").isGreaterThan(35)).mean();
        assertTrue(first < 0.15, "starts near chance, got " + first);
        assertTrue(last > 0.5, "learned to say x: mean score over the last steps " + last);
        assertTrue(t.doubleColumn("objective/kl").get(t.rowCount() - 1) > 0.5, "moved away from the reference");
    }

    /** The value function's source must match the config: a second network with a shared trunk is a mistake. */
    @Test
    void sharedTrunkRefusesASeparateValueNetwork() {
        try (Fixture f = new Fixture()) {
            PpoConfig shared = config(1).toBuilder().set(SHARED_TRUNK, true).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> f.trainer(shared, List.of("say ")));
            assertTrue(e.getMessage().contains("pass no value network"), e.getMessage());
        }
        try (Fixture f = new Fixture(true)) {
            assertThrows(IllegalArgumentException.class, () -> f.trainer(config(1), List.of("say ")));
        }
    }

    /** With a shared trunk the value function adds only a head to the policy, and the first update trains it. */
    @Test
    void sharedTrunkAddsOnlyAHead() {
        try (Fixture f = new Fixture(true)) {
            PpoTrainer ppo = f.trainer(config(1).toBuilder().set(SHARED_TRUNK, true).build(), List.of("say "));
            ppo.train(new MetricsLog("ppo", null), null, null);
            var state = ppo.optimizer().state();
            // AdamW keeps two moments per tensor: for the value function, the head's weight and bias only
            assertEquals(List.of("m.value.score.weight", "m.value.score.bias", "v.value.score.weight", "v.value.score.bias"),
                    state.keySet().stream().filter(k -> k.contains("value.")).toList());
            assertTrue(state.get("m.value.score.weight").abs().sum().getFloat() > 0, "the value head was not trained");
        }
    }
}
