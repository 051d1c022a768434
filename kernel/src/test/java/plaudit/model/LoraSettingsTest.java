package plaudit.model;

import org.junit.jupiter.api.Test;
import plaudit.UserError;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LoRA's user-facing settings: off by default, all-linear per family, bad values refused naming the bad part. */
class LoraSettingsTest {

    @Test
    void offByDefaultWithTheDocumentedDefaults() {
        LoraSettings d = LoraSettings.defaults();
        assertFalse(d.enabled());
        assertEquals(new LoraSettings(0, 16, 0.05, "all-linear"), d);
        assertEquals(List.of("--lora-rank", "--lora-alpha", "--lora-dropout", "--lora-targets"),
                LoraSettings.SETTINGS.list().stream().map(s -> s.option()).toList());
        assertEquals(List.of("lora_rank", "lora_alpha", "lora_dropout", "lora_targets"),
                LoraSettings.SETTINGS.list().stream().map(s -> s.key()).toList());
        assertThrows(IllegalStateException.class, () -> d.config("llama"));
    }

    @Test
    void allLinearIsEveryProjectionOfTheFamily() {
        LoraSettings s = new LoraSettings(8, 16, 0.05, "all-linear");
        assertEquals(new LoraConfig(8, 16, 0.05, List.of("c_attn", "c_proj", "c_fc")), s.config("gpt2"));
        for (String type : List.of("llama", "qwen2", "qwen3")) {
            assertEquals(LoraConfig.LLAMA_MODULES, s.config(type).targetModules(), type);
        }
        assertEquals(List.of("q_proj", "v_proj"), new LoraSettings(8, 16, 0, " q_proj, v_proj ").config("qwen3")
                .targetModules());
        assertEquals(2.0, new LoraSettings(8, 16, 0, "c_fc").config("gpt2").scaling());
    }

    @Test
    void refusesBadValuesNamingThem() {
        LoraTest.assertOneLine(assertThrows(UserError.class, () -> new LoraSettings(-1, 16, 0, "all-linear")),
                "lora_rank = -1", ">= 0");
        LoraTest.assertOneLine(assertThrows(UserError.class, () -> new LoraSettings(8, 0, 0, "all-linear")),
                "lora_alpha = 0", "> 0");
        LoraTest.assertOneLine(assertThrows(UserError.class, () -> new LoraSettings(8, 16, 1, "all-linear")),
                "lora_dropout = 1", "[0, 1)");
        LoraTest.assertOneLine(assertThrows(UserError.class, () -> new LoraSettings(8, 16, 0, "q_proj,qkv")),
                "lora_targets = q_proj,qkv", "'qkv' is not a module");
        LoraTest.assertOneLine(assertThrows(UserError.class, () -> new LoraSettings(8, 16, 0, "")),
                "lora_targets", "an entry is empty");
        LoraTest.assertOneLine(assertThrows(UserError.class, () -> new LoraSettings(8, 16, 0, "q_proj,,v_proj")),
                "an entry is empty");
        LoraTest.assertOneLine(assertThrows(UserError.class, () -> new LoraSettings(8, 16, 0, "v_proj,v_proj")),
                "'v_proj' is named twice");
        LoraTest.assertOneLine(assertThrows(UserError.class, () -> new LoraSettings(8, 16, 0, "all-linear,c_fc")),
                "all-linear stands alone");
        UserError e = assertThrows(UserError.class, () -> new LoraSettings(8, 16, 0, "c_attn,q_proj").config("gpt2"));
        LoraTest.assertOneLine(e, "lora_targets = c_attn,q_proj", "gpt2", "no 'q_proj'", "c_attn,c_proj,c_fc or all-linear");
        e = assertThrows(UserError.class, () -> new LoraSettings(8, 16, 0, "c_proj").config("llama"));
        LoraTest.assertOneLine(e, "llama", "no 'c_proj'", "q_proj,k_proj");
        assertTrue(LoraSettings.TARGETS.doc().contains("all-linear"));
    }
}
