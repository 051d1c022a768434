package plaudit.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** DPO's loss and TRL's rewards/* and logps/* metrics on log-probs worked out by hand. */
class DpoLossTest {

    @Test
    void lossAndMetricsOnKnownLogProbs() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            // pair 1: the policy raised the chosen reply by 0.5 nats and lowered the rejected one by 1 nat
            // pair 2: the policy left the chosen reply alone and raised the rejected one by 0.5 nats
            DpoLoss.Terms t = DpoLoss.of(m.create(new float[] {-2f, -3f}), m.create(new float[] {-4f, -1f}),
                    m.create(new float[] {-2.5f, -3f}), m.create(new float[] {-3f, -1.5f}), 0.1);
            // implicit rewards β·(log π − log π_ref): chosen (0.05, 0), rejected (−0.1, 0.05); margins (0.15, −0.05)
            assertEquals(0.025, t.rewardsChosen(), 1e-6);
            assertEquals(-0.025, t.rewardsRejected(), 1e-6);
            assertEquals(0.5, t.rewardsAccuracies(), 1e-9);
            assertEquals(0.05, t.rewardsMargins(), 1e-6);
            assertEquals(-2.5, t.logpsChosen(), 1e-6);
            assertEquals(-2.5, t.logpsRejected(), 1e-6);
            // −log σ(0.15) = 0.620957, −log σ(−0.05) = 0.718460
            assertEquals(0.669708, t.loss().getFloat(), 1e-5);
        }
    }

    @Test
    void policyEqualToReferenceGivesLogTwo() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            DpoLoss.Terms t = DpoLoss.of(m.create(new float[] {-7f}), m.create(new float[] {-2f}),
                    m.create(new float[] {-7f}), m.create(new float[] {-2f}), 0.5);
            assertEquals(Math.log(2), t.loss().getFloat(), 1e-6);
            assertEquals(0, t.rewardsMargins(), 1e-9);
            assertEquals(0, t.rewardsAccuracies(), 1e-9, "a tie is not a correct ranking");
        }
    }
}
