package plaudit.train;

import org.junit.jupiter.api.Test;
import plaudit.model.CausalLm;
import plaudit.model.GptConfig;
import plaudit.model.LoraLm;
import plaudit.model.LoraSettings;
import plaudit.model.TinyModels;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CheckpointSettingsTest {
    private record Config(int steps, double lr) {
    }

    private static final Config CONFIG = new Config(10, 1e-3);

    /** A resumed run must train the adapters that wrote the checkpoint, with the same scaling and dropout. */
    @Test
    void aResumeRepeatsTheAdaptersThatWroteTheCheckpoint() {
        try (CausalLm base = TinyModels.lively(new GptConfig(1, 2, 16, 8, 50, 0.0), 3);
             LoraLm r4 = lora(base, 4, 16, "all-linear");
             LoraLm explicit = lora(base, 4, 16, "c_attn,c_proj,c_fc");
             LoraLm alpha32 = lora(base, 4, 32, "all-linear");
             LoraLm r8 = lora(base, 8, 16, "all-linear")) {
            Map<String, String> recorded = CheckpointSettings.of(CONFIG).withAdapters(r4).values();
            assertEquals("4", recorded.get("lora_rank"));
            assertEquals("16", recorded.get("lora_alpha"));
            assertEquals("c_attn,c_proj,c_fc", recorded.get("lora_targets"));

            assertEquals(List.of(), changed(explicit, recorded), "all-linear is the list it stands for");
            assertEquals(List.of("lora_alpha was 16, now 32"), changed(alpha32, recorded));
            assertEquals(List.of("lora_rank was 4, now 8"), changed(r8, recorded));
            assertEquals(List.of("lora_rank was 4, now 0"), changed(base, recorded));

            Map<String, String> full = CheckpointSettings.of(CONFIG).withAdapters(base).values();
            assertEquals("0", full.get("lora_rank"));
            assertEquals(List.of("lora_rank was 0, now 4"), changed(r4, full));
            Map<String, String> beforeLora = CheckpointSettings.of(CONFIG).values();
            assertEquals(List.of(), changed(base, beforeLora), "a checkpoint from before LoRA trained every weight");
        }
    }

    private static List<String> changed(CausalLm model, Map<String, String> recorded) {
        return CheckpointSettings.of(CONFIG).withAdapters(model).changedFrom(recorded);
    }

    private static LoraLm lora(CausalLm base, int rank, double alpha, String targets) {
        return (LoraLm) new LoraSettings(rank, alpha, 0.05, targets).apply(base, 1);
    }
}
