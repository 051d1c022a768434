package plaudit.train.steer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import plaudit.model.Gpt;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoftPromptTuningTest {
    private static final int[] TARGET = {7, 42};

    @Test
    void gradientReachesOnlyTheSoftPromptAndWeightsStayBitIdentical() {
        try (Gpt model = SteerModels.lively(3); NDManager m = model.manager().newSubManager()) {
            Map<String, float[]> before = SteerModels.snapshot(model);
            List<int[]> prompts = SteerModels.prompts(6, 1);
            model.setTrainable(false);
            NDArray soft = m.randomNormal(new Shape(4, SteerModels.CONFIG.nEmbd()));
            soft.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = SteerBatch.of(m, prompts, TARGET, 4, SoftPrefix.Position.BEFORE, SteerModels.CONFIG.blockSize())
                        .targetLogProbs(model, soft).mean().neg();
                gc.backward(loss);
            }
            float[] g = soft.getGradient().toFloatArray();
            assertTrue(Arrays.stream(toDouble(g)).map(Math::abs).sum() > 0, "the soft prompt gets a gradient");
            model.parameters().forEach((k, v) -> assertFalse(v.hasGradient(), k + " must not take a gradient"));

            SteerConfig cfg = SteerConfig.SETTINGS.builder().set(SteerConfig.SOFT_TOKENS, 4).set(SteerConfig.STEPS, 20)
                    .set(SteerConfig.LR, 0.1).build();
            SoftPromptTuning.train(model, prompts, TARGET, cfg, m);
            Map<String, float[]> after = SteerModels.snapshot(model);
            before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " changed"));
            model.parameters().forEach((k, v) -> assertFalse(v.hasGradient(), k + " must not take a gradient"));
        }
    }

    @ParameterizedTest
    @EnumSource(SoftPrefix.Position.class)
    void softPromptMakesTheTargetTenTimesLikelier(SoftPrefix.Position position) {
        try (Gpt model = SteerModels.lively(5); NDManager m = model.manager().newSubManager()) {
            List<int[]> prompts = SteerModels.prompts(8, 2);
            double before = Steering.meanTargetProb(model, prompts, TARGET, null, position);
            SteerConfig cfg = SteerConfig.SETTINGS.builder().set(SteerConfig.SOFT_TOKENS, 4).set(SteerConfig.STEPS, 60)
                    .set(SteerConfig.LR, 0.1).set(SteerConfig.POSITION, position).build();
            NDArray soft = SoftPromptTuning.train(model, prompts, TARGET, cfg, m);
            double after = Steering.meanTargetProb(model, prompts, TARGET, soft, position);
            System.out.printf("p(target) %.3g -> %.3g (x%.1f)%n", before, after, after / before);
            assertTrue(after >= 10 * before, "p(target) " + before + " -> " + after);
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
