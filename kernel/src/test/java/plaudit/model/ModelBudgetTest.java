package plaudit.model;

import ai.djl.Device;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import plaudit.UserError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Tag("adversarial")
class ModelBudgetTest {
    private static final GptConfig GPT2_SMALL = new GptConfig(12, 12, 768, 1024, 50257, 0.1);

    /** GPT-2 small: wte 50257·768 + wpe 1024·768 + 12 blocks of (12·768² + 13·768) + ln_f 2·768 = 124,439,808. */
    @Test
    void parametersAreCountedFromTheConfigAlone() {
        double blocks = 12 * (12.0 * 768 * 768 + 13 * 768);
        assertEquals(50257 * 768 + 1024 * 768 + blocks + 2 * 768, ModelBudget.parameters(GPT2_SMALL));
        assertEquals(124_439_808, ModelBudget.parameters(GPT2_SMALL));
        assertEquals(GPT2_SMALL.parameterCount(), (long) ModelBudget.parameters(GPT2_SMALL));
        assertEquals(2 + 12 * 12 + 2, ModelBudget.tensorCount(GPT2_SMALL));
    }

    @Test
    void aModelLargerThanTheRoomIsRefusedWithCountBytesRoomAndFix() {
        // 124,439,808 parameters x 16 bytes = 1.99 GB against 1 GB of room
        UserError e = assertThrows(UserError.class, () -> ModelBudget.checkFits(GPT2_SMALL,
                ModelBudget.TRAINING_BYTES_PER_PARAMETER, "training", "this machine", 1_000_000_000L, Long.MAX_VALUE));
        assertEquals("model config (n_layer=12, n_head=12, n_embd=768, n_positions=1024, vocab_size=50257): training it"
                + " needs 1.99 GB (124,439,808 parameters x 16 bytes) but this machine has 1.00 GB; lower n_layer or"
                + " n_embd", e.getMessage());
        ModelBudget.checkFits(GPT2_SMALL, ModelBudget.WEIGHT_BYTES_PER_PARAMETER, "loading", "this machine",
                1_000_000_000L, Long.MAX_VALUE); // 498 MB of weights fit
        ModelBudget.checkFits(GPT2_SMALL, 16, "training", "gpu(0)", -1, Long.MAX_VALUE); // room unknown: allowed
    }

    @Test
    void aTensorLargerThanTheHeapIsRefused() {
        // wte: 50257 x 768 x 4 bytes = 154 MB through a 64 MB heap
        UserError e = assertThrows(UserError.class, () -> ModelBudget.checkFits(GPT2_SMALL, 4, "loading",
                "this machine", -1, 64L << 20));
        assertEquals("model config (n_layer=12, n_head=12, n_embd=768, n_positions=1024, vocab_size=50257): its largest"
                + " tensor (154 MB) passes through the Java heap, whose limit is 67.1 MB; raise -Xmx or lower n_embd",
                e.getMessage());
    }

    /**
     * The largest model GptConfig accepts (2^32 parameters) needs 69 GB to train; where this machine has less,
     * Gpt.init refuses it before allocating anything (before: it grew until the kernel killed it).
     */
    /** The same two checks for a Llama-family model, from LlamaConfig's own counts (Qwen3-0.6B: 596 M parameters). */
    @Test
    void aLlamaLargerThanTheRoomOrHeapIsRefused() throws Exception {
        LlamaConfig qwen3 = LlamaConfigTest.parse(LlamaConfigTest.QWEN3);
        assertEquals(596_049_920, qwen3.parameterCount(), 0.0);
        UserError room = assertThrows(UserError.class, () -> ModelBudget.checkFits(qwen3.parameterCount(),
                qwen3.largestTensor(), qwen3.describe(), 4, "loading", "this machine", 1_000_000_000L, 1L << 40));
        assertTrue(room.getMessage().contains("loading it needs 2.38 GB (596,049,920 parameters x 4 bytes) but this"
                + " machine has 1.00 GB"), room.getMessage());
        // embed_tokens: 151936 x 1024 x 4 bytes = 622 MB through a 256 MB heap
        UserError heap = assertThrows(UserError.class, () -> ModelBudget.checkFits(qwen3.parameterCount(),
                qwen3.largestTensor(), qwen3.describe(), 4, "loading", "this machine", -1, 256L << 20));
        assertTrue(heap.getMessage().contains("largest tensor (622 MB)") && heap.getMessage().contains("raise -Xmx"),
                heap.getMessage());
        ModelBudget.checkFits(qwen3.parameterCount(), qwen3.largestTensor(), qwen3.describe(), 4, "loading",
                "this machine", 3_000_000_000L, 1L << 30);
    }

    @Test
    void gptInitRefusesAModelThisMachineCannotTrain() {
        GptConfig huge = new GptConfig(1000, 8, 512, 1024, 50257, 0.0); // 3.18e9 parameters, 50.9 GB to train
        assumeTrue(ModelBudget.room(Device.cpu()) > 0 && ModelBudget.room(Device.cpu()) < 50.8e9, "this machine has room");
        String message = assertThrows(UserError.class, () -> Gpt.init(huge, Device.cpu(), 1)).getMessage();
        assertTrue(message.contains("training it needs 50.9 GB (3,178,640,896 parameters x 16 bytes) but this"
                + " machine has "), message);
    }
}
