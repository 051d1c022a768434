package plaudit.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import plaudit.model.CausalLm;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.train.pg.PpoLoss;
import plaudit.train.pg.ResponseBatch;

import java.lang.management.BufferPoolMXBean;
import java.lang.ref.Reference;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backward must read only memory that outlives it. DJL frees the Java buffers behind short-lived tensors when the
 * garbage collector finds them, so a tensor autograd saved from such a buffer (once: every constant in {@code x.mul(c)})
 * changed gradients whenever a collection ran between a forward and its backward. Here a collection runs there, and
 * the freed memory is refilled with NaN before backward: every gradient must be what it is without the collection.
 */
class BackwardAfterGcTest {

    private static final GptConfig CFG = new GptConfig(1, 2, 16, 12, 40, 0.0);

    @Test
    void gradientsDoNotDependOnACollectionBetweenForwardAndBackward() {
        float[] calm = gradients(false);
        float[] churned = gradients(true);
        for (float g : calm) assertTrue(Float.isFinite(g), "gradients without a collection are finite");
        assertArrayEquals(calm, churned);
    }

    /**
     * Gradients of the model's parameters under one loss that passes through every differentiable op of the trainers
     * that takes a constant: attention scaling and GELU (LM loss), temperature (policy log-probs), the PPO total with
     * both coefficients, the reward model's loss with centring, and DPO's β.
     */
    private static float[] gradients(boolean collectBetween) {
        try (Gpt model = Gpt.init(CFG, Device.cpu(), 3); NDManager scope = model.manager().newSubManager()) {
            model.setTrainable(true);
            int[][] prompts = {{1, 2, 3}, {4, 5}};
            int[][] responses = {{6, 7, 8, 9}, {10, 11}};
            ResponseBatch b = ResponseBatch.of(scope, prompts, responses, new int[] {0, 1});
            NDArray mask = b.responseMask();
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray lm = model.loss(b.ids(), b.ids(), b.mask(), false);
                NDArray hidden = b.hidden(model);
                NDArray logp = CausalLm.tokenLogProbs(ResponseBatch.logits(model, hidden, 0.7), b.responseIds());
                NDArray zeros = scope.zeros(logp.getShape());
                NDArray values = hidden.mean(new int[] {-1});
                PpoLoss.Terms pg = PpoLoss.policy(logp, zeros.sub(1), zeros.add(0.5f), mask, 0.2);
                PpoLoss.Terms vf = PpoLoss.value(values, zeros, zeros.add(1f), mask, 0.2);
                NDArray ppo = PpoLoss.total(pg.loss(), vf.loss(), PpoLoss.maskedMean(logp.neg(), mask), 0.1, 0.01);
                NDArray seq = logp.mul(mask).sum(new int[] {1});
                NDArray rm = RewardTrainer.loss(values.get(":, 0"), values.get(":, 1"), scope.zeros(new Shape(2)), 0.01);
                NDArray dpo = DpoLoss.of(seq.get("0:1"), seq.get("1:2"), zeros.get("0:1, 0"), zeros.get("1:2, 0"), 0.1).loss();
                NDArray loss = lm.add(ppo).add(rm).add(dpo);
                List<ByteBuffer> refill = collectBetween ? collectAndRefillFreedMemory() : List.of();
                gc.backward(loss);
                Reference.reachabilityFence(refill); // the NaN blocks stay taken until backward is done
            }
            List<Float> all = new ArrayList<>();
            for (NDArray p : model.parameters().values()) {
                for (float g : p.getGradient().toFloatArray()) all.add(g);
            }
            float[] out = new float[all.size()];
            for (int i = 0; i < out.length; i++) out[i] = all.get(i);
            return out;
        }
    }

    /** Collects until some direct buffer was freed, then takes small blocks from the allocator and fills them with NaN. */
    private static List<ByteBuffer> collectAndRefillFreedMemory() {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
        long before = direct.getCount();
        for (int i = 0; i < 200 && direct.getCount() >= before; i++) {
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertTrue(direct.getCount() < before, "no direct buffer was freed, so this test could not catch anything");
        List<ByteBuffer> refill = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer buf = ByteBuffer.allocateDirect(4 << (i % 3)).order(ByteOrder.nativeOrder());
            while (buf.remaining() >= 4) buf.putFloat(Float.NaN);
            refill.add(buf);
        }
        return refill;
    }
}
