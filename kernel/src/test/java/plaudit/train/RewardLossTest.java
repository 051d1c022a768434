package plaudit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RewardLossTest {
    /**
     * −log σ(r_w − r_l): ln 2 when the rewards tie; the gradient raises the chosen reward and lowers the rejected one,
     * by σ(−Δ)/B each; a margin demands a larger gap.
     */
    @Test
    void bradleyTerryLossValueAndGradientSign() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray chosen = m.create(new float[] {0.0f, 1.0f});
            NDArray rejected = m.create(new float[] {0.0f, 3.0f});
            chosen.setRequiresGradient(true);
            rejected.setRequiresGradient(true);
            NDArray loss;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                loss = RewardTrainer.loss(chosen, rejected, m.zeros(new Shape(2)), 0);
                gc.backward(loss);
            }
            double expected = (Math.log(2) + Math.log1p(Math.exp(2))) / 2;   // Δ = 0 and Δ = −2
            assertEquals(expected, loss.getFloat(), 1e-5);
            float[] gChosen = chosen.getGradient().toFloatArray();
            float[] gRejected = rejected.getGradient().toFloatArray();
            for (int i = 0; i < 2; i++) {
                assertTrue(gChosen[i] < 0, "descending the loss raises the chosen reward");
                assertTrue(gRejected[i] > 0, "descending the loss lowers the rejected reward");
            }
            double sigmoidMinus2 = 1 / (1 + Math.exp(-2));                   // σ(−Δ) for Δ = −2
            assertEquals(-sigmoidMinus2 / 2, gChosen[1], 1e-5);
            NDArray withMargin = RewardTrainer.loss(m.create(new float[] {1f}), m.create(new float[] {0f}),
                    m.create(new float[] {1f}), 0);
            assertEquals(Math.log(2), withMargin.getFloat(), 1e-5, "a gap equal to the margin counts as a tie");
        }
    }
}
