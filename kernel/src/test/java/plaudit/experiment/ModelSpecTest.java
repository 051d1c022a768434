package plaudit.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.model.LoraSettings;
import plaudit.model.Safetensors;
import plaudit.model.TinyLlamas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spec's start from a Hugging Face folder ({@code model.from}), its {@code lora} and {@code chatTemplate}. */
class ModelSpecTest {
    @TempDir
    Path dir;

    private Path llama() {
        return TinyLlamas.write(dir.resolve("llama"), TinyLlamas.llama(), 1, Safetensors.DType.F32, 1);
    }

    private static String json(String s) {
        return s.replace('\'', '"');
    }

    /** The spec's error, reading it or where the run starts ({@link Experiment#checkModelFolder()}). */
    private static String message(String spec) {
        return assertThrows(UserError.class, () -> Experiment.fromJson(json(spec)).checkModelFolder()).getMessage();
    }

    @Test
    void aFolderRunWithLoraAndNoChatTemplateSurvivesTheJsonRoundTrip() {
        String folder = llama().toString();
        Experiment e = Experiment.fromJson(json("{'model': {'from': '" + folder + "'}, 'chatTemplate': false,"
                + " 'lora': {'rank': 8, 'alpha': 16.0, 'dropout': 0.05, 'targets': 'q_proj,v_proj'}}"));
        assertEquals(ModelSpec.from(folder), e.model());
        assertEquals(new LoraSettings(8, 16.0, 0.05, "q_proj,v_proj"), e.lora());
        assertFalse(e.chatTemplate());
        assertEquals(e, Experiment.fromJson(e.toJson()));
        assertFalse(e.toJson().contains("nLayer"), "a folder's model has no GPT shape: " + e.toJson());
    }

    @Test
    void theDefaultsPretrainAGptWithoutLoraAndWithTheChatTemplate() {
        Experiment d = Experiment.defaults();
        assertNull(d.model().from());
        assertEquals(LoraSettings.defaults(), d.lora());
        assertEquals(0, d.lora().rank());
        assertTrue(d.chatTemplate());
        assertFalse(d.toJson().contains("\"from\""), d.toJson());
        Experiment shaped = Experiment.fromJson(json("{'model': {'nLayer': 3}}"));
        assertEquals(3, shaped.model().gpt().nLayer());
        assertEquals(d.model().nEmbd(), shaped.model().nEmbd());
    }

    @Test
    void aFolderAndAGptShapeTogetherAreRefusedNamingTheShapeFields() {
        String folder = llama().toString();
        String m = message("{'model': {'from': '" + folder + "', 'nLayer': 3, 'dropout': 0.1}}");
        assertTrue(m.contains("model.nLayer, model.dropout") && m.contains("model.from"), m);
        assertFalse(m.contains("nHead"), m);
        UserError built = assertThrows(UserError.class, () -> new ModelSpec(folder, null, 2, null, null, null, null));
        assertTrue(built.getMessage().contains("remove model.nHead"), built.getMessage());
    }

    @Test
    void aGptShapeWithAFieldLeftOutIsRefusedNamingIt() {
        UserError e = assertThrows(UserError.class, () -> new ModelSpec(null, 2, 2, 64, null, 512, 0.0));
        assertTrue(e.getMessage().contains("model.blockSize missing"), e.getMessage());
    }

    @Test
    void aMissingFolderIsRefusedInOneLineNamingThePath() {
        Path missing = dir.resolve("no-such-model");
        // read, it is data (a client reads its worker's specs); where the run starts, the folder must be there
        assertEquals(missing.toString(), Experiment.fromJson(json("{'model': {'from': '" + missing + "'}}")).model().from());
        String m = message("{'model': {'from': '" + missing + "'}}");
        assertTrue(m.contains("model.from = " + missing) && m.contains("not a folder"), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void aRunFromAMissingFolderStopsBeforeTheDataStage() {
        Path missing = dir.resolve("no-such-model");
        Experiment d = Experiment.defaults();
        Experiment e = new Experiment(d.data(), d.tokenizer(), ModelSpec.from(missing.toString()), d.lora(), true,
                d.pretrain(), d.sft(), d.rewardModel(), d.ppo(), d.evaluation(), "cpu", 1);
        Path out = dir.resolve("run");
        UserError u = assertThrows(UserError.class, () -> new ExperimentRunner(out).run(e, null));
        assertTrue(u.getMessage().contains("model.from = " + missing), u.getMessage());
        assertFalse(Files.exists(out.resolve("pairs")), "no stage ran");
    }

    @Test
    void aFolderOfAnUnsupportedFamilyIsRefusedNamingThePathAndTheType() throws IOException {
        Path mistral = Files.createDirectories(dir.resolve("mistral"));
        Files.writeString(mistral.resolve("config.json"), "{\"model_type\": \"mistral\"}");
        String m = message("{'model': {'from': '" + mistral + "'}}");
        assertTrue(m.contains("model.from = " + mistral) && m.contains("mistral") && m.contains("llama"), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void anEmptyFolderNameIsRefused() {
        assertTrue(message("{'model': {'from': ' '}}").contains("model.from is empty"));
    }

    @Test
    void badLoraValuesAreRefusedNamingTheSetting() {
        assertTrue(message("{'lora': {'rank': -1}}").contains("lora_rank"));
        assertTrue(message("{'lora': {'dropout': 1.0}}").contains("lora_dropout"));
        assertTrue(message("{'lora': {'banana': 1}}").contains("'lora.banana'"));
    }

    @Test
    void loraTargetsTheModelDoesNotHaveAreRefusedNamingThem() {
        // GPT-2, which the run pretrains, has no q_proj
        String gpt = message("{'lora': {'rank': 4, 'targets': 'q_proj'}}");
        assertTrue(gpt.contains("q_proj") && gpt.contains("gpt2"), gpt);
        String llama = message("{'model': {'from': '" + llama() + "'}, 'lora': {'rank': 4, 'targets': 'c_attn'}}");
        assertTrue(llama.contains("c_attn") && llama.contains("llama"), llama);
        // off, the targets are not checked against a family
        assertEquals(0, Experiment.fromJson(json("{'lora': {'targets': 'q_proj'}}")).lora().rank());
    }

    @Test
    void aTokenizerFileWithAFolderIsRefused() {
        String m = message("{'model': {'from': '" + llama() + "'}, 'tokenizer': {'file': 'tokenizer.json'}}");
        assertTrue(m.contains("tokenizer.file") && m.contains("model.from"), m);
    }

    @Test
    void aWorkerKeepsEverythingButTheDevice() {
        Experiment e = Experiment.fromJson(json("{'model': {'from': '" + llama() + "'}, 'chatTemplate': false,"
                + " 'lora': {'rank': 2}}"));
        Experiment there = e.withDevice("gpu");
        assertEquals("gpu", there.device());
        assertEquals(e, there.withDevice("cpu"));
    }
}
