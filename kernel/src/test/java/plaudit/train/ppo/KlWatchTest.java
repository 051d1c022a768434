package plaudit.train.ppo;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static plaudit.train.ppo.PpoConfig.ADAPTIVE_KL;
import static plaudit.train.ppo.PpoConfig.KL_COEF;
import static plaudit.train.ppo.PpoConfig.KL_HORIZON;
import static plaudit.train.ppo.PpoConfig.SHARED_TRUNK;
import static plaudit.train.ppo.PpoConfig.TARGET_KL;

class KlWatchTest {

    private static Map<String, Number> row(int step, double kl, double beta) {
        return Map.of("step", step, "objective/kl", kl, "kl_coef", beta, "loss/value_avg", 211.0);
    }

    /**
     * Target 3, β₀ 0.2, shared trunk: KL above target while β is still below 10·β₀ is the controller doing its job;
     * once β reaches 2.0 and the 10-step mean KL is above 6, it warns — once — naming the step and the remedy.
     */
    @Test
    void warnsOnceWhenBetaHasGrownTenfoldAndKlStaysAboveTwiceTheTarget() {
        KlWatch watch = KlWatch.of(PpoConfig.SETTINGS.builder().set(KL_COEF, 0.2).set(ADAPTIVE_KL, true).set(TARGET_KL, 3.0).set(KL_HORIZON, 320.0).set(SHARED_TRUNK, true).build());
        int step = 0;
        for (; step < 20; step++) assertNull(watch.check(row(step, 8, 0.2 + 0.08 * step)), "β below 2 at step " + step);
        String warning = null;
        for (; step < 40 && warning == null; step++) warning = watch.check(row(step, 8, 2.0));
        assertEquals(20, step - 1, "warns at the first step with β = 10·β₀ and a 10-step mean KL of 8 > 6");
        assertTrue(warning.startsWith("step 20: the adaptive KL controller is not holding the KL"), warning);
        assertTrue(warning.contains("averaged 8.00 nats") && warning.contains("from 0.200 to 2.00"), warning);
        assertTrue(warning.contains("loss/value_avg 211") && warning.contains("sharedTrunk = false"), warning);
        for (int i = 0; i < 20; i++) assertNull(watch.check(row(step + i, 50, 3.0)), "warns only once");
    }

    /** KL near the target never warns, however large β has become; nor does anything before a full window. */
    @Test
    void klNearTheTargetNeverWarns() {
        PpoConfig cfg = PpoConfig.SETTINGS.builder().set(KL_COEF, 0.1).set(ADAPTIVE_KL, true).set(TARGET_KL, 3.0).set(KL_HORIZON, 320.0).build();
        KlWatch early = KlWatch.of(cfg);
        for (int step = 0; step < 9; step++) assertNull(early.check(row(step, 100, 5.0)), "fewer than 10 steps");
        KlWatch watch = KlWatch.of(cfg);
        for (int step = 0; step < 200; step++) assertNull(watch.check(row(step, step % 2 == 0 ? 1.0 : 5.0, 5.0)));
    }

    /** A KL ten times the target warns whatever β did; with a separate value network the advice differs. */
    @Test
    void aKlTenTimesTheTargetWarnsEvenWithoutBetaGrowth() {
        KlWatch watch = KlWatch.of(PpoConfig.SETTINGS.builder().set(KL_COEF, 0.1).set(ADAPTIVE_KL, true).set(TARGET_KL, 3.0).set(KL_HORIZON, 320.0).build());
        String warning = null;
        int step = 0;
        for (; warning == null && step < 30; step++) warning = watch.check(row(step, 31, 0.1));
        assertEquals(10, step, "the first full window");
        assertTrue(warning.contains("larger target KL or a lower learning rate"), warning);
    }

    @Test
    void aFixedBetaHasNoControllerToWatch() {
        assertNull(KlWatch.of(PpoConfig.SETTINGS.builder().set(ADAPTIVE_KL, false).set(KL_COEF, 0.05).build()));
    }
}
