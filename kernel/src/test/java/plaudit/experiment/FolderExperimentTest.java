package plaudit.experiment;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.data.Fixtures;
import plaudit.model.CausalLm;
import plaudit.model.FolderTokenizer;
import plaudit.model.LoraSettings;
import plaudit.model.ModelFolder;
import plaudit.model.ScoreModel;
import plaudit.model.TinyLlamas;
import plaudit.train.DpoTrainer;
import plaudit.train.rloo.RlooConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run from a Hugging Face folder: a tiny random Llama with the real Llama 3 tokenizer, LoRA on, on SHP comparisons,
 * a couple of steps per stage (SFT, reward model, PPO, DPO, RLOO, best-of-n). No tokenizer training and no pretraining (recorded as skipped); every stage's folder
 * reopens.
 */
class FolderExperimentTest {
    private static Experiment fromFolder(Path folder) {
        return fromFolder(folder, true);
    }

    private static Experiment fromFolder(Path folder, boolean chatTemplate) {
        Experiment m = ExperimentTest.micro();
        Experiment.Rules all = new Experiment.Rules(2.0, 0, 0, 50, 10, true, true, 0, List.of(1.0, 0.0, 0.0), 0);
        return new Experiment(new Experiment.Data("shp",
                List.of(Fixtures.path("shp/askculinary_train.jsonl").toString()), m.data().forum(), null, all),
                m.tokenizer(), ModelSpec.from(folder.toString()), new LoraSettings(2, 4.0, 0.0, "q_proj,v_proj"),
                chatTemplate, m.pretrain(), new Experiment.Sft(2, 2, 1e-2), Experiment.RewardModel.of(2, 2, 1e-2), m.ppo(),
                new Experiment.Evaluation(false, 2, 1, List.of(1, 2), 2), "cpu", 3);
    }

    @Test
    void aLlamaFolderWithLoraRunsEveryStageWithoutPretrainingAndItsCheckpointsReopen(@TempDir Path dir)
            throws IOException {
        Path llama = TinyLlamas.withLlama3Tokenizer(dir.resolve("llama"), true);
        Experiment e = fromFolder(llama);
        Path out = dir.resolve("run");
        ExperimentResult r;
        Map<String, Double> summary;
        try (ExperimentRunner.Session s = new ExperimentRunner(out).train(e, null)) {
            s.ppo("ppo", e.ppo(), true);
            s.dpo("dpo", new DpoTrainer.Config(2, 2, 1e-2, 0.1, 1.0, 8, 1, 3));
            s.rloo("rloo", RlooConfig.SETTINGS.builder().set(RlooConfig.STEPS, 1).set(RlooConfig.PROMPTS, 1)
                    .set(RlooConfig.K, 2).set(RlooConfig.MINI_BATCH_SIZE, 2).set(RlooConfig.RESPONSE_LENGTH, 8)
                    .set(RlooConfig.SAMPLE_EVERY, 1).build());
            s.bestOfN();
            r = s.result();
            summary = Map.copyOf(s.summary());
        }
        assertEquals(1.0, r.value("pretrain_skipped"));
        assertEquals(List.of("sft", "rm", "ppo", "dpo", "rloo"), List.copyOf(r.metrics().keySet()),
                "no pretraining metrics");
        for (Map.Entry<String, Double> m : summary.entrySet()) {
            assertTrue(Double.isFinite(m.getValue()), m.getKey() + " = " + m.getValue());
        }
        for (String key : List.of("sft_val_loss", "rm_val_accuracy", "ppo_kl", "ppo_proxy", "dpo_kl", "rloo_kl")) {
            assertTrue(Double.isFinite(r.value(key)), key);
        }
        for (String f : List.of("summary.csv", "best_of_n.csv", "ppo/metrics.csv", "ppo/samples.csv", "dpo/metrics.csv",
                "rloo/samples.csv", "sft/adapter/adapter_config.json", "rm/adapter/adapter_model.safetensors")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        int[] ids = {128000, 9906, 1917, 11, 1268, 527, 499, 30};
        try (CausalLm base = ModelFolder.open(llama, Device.cpu());
             CausalLm sft = ModelFolder.open(out.resolve("sft/checkpoint"), Device.cpu());
             ScoreModel rm = ScoreModel.load(out.resolve("rm/checkpoint"), Device.cpu())) {
            assertEquals("llama", sft.modelType());
            assertEquals("llama", rm.trunk().modelType());
            // the checkpoint holds the base with SFT's adapters merged in: LoRA trained, the base's shape kept
            assertFalse(Arrays.equals(base.sequenceLogProbs(ids), sft.sequenceLogProbs(ids)), "SFT's adapters are merged");
            assertEquals(Map.copyOf(base.parameters()).keySet(), Map.copyOf(sft.parameters()).keySet());
        }
        assertTrue(Files.isRegularFile(out.resolve("sft/checkpoint/tokenizer.json")), "the folder's tokenizer travels");
        // the folder has a chat template: a resumed run, which decides from SFT's checkpoint, asks in it too
        // (<|begin_of_text|><|start_header_id|>user<|end_header_id|>...)
        try (FolderTokenizer tok = FolderTokenizer.open(out.resolve("sft/checkpoint"))) {
            int[] prompt = RunState.turns(e, out.resolve("sft/checkpoint"), tok).promptIds("Any tips?");
            assertArrayEquals(new int[] {128000, 128006, 882, 128007}, Arrays.copyOf(prompt, 4));
        }
    }

    /** With {@code chatTemplate = false} a folder with a template is asked in plain text, as the GPT runs are. */
    @Test
    void withoutTheChatTemplateAFolderRunIsAskedInPlainText(@TempDir Path dir) throws IOException {
        Path llama = TinyLlamas.withLlama3Tokenizer(dir.resolve("llama"), true);
        Experiment e = fromFolder(llama, false);
        Experiment noBestOfN = new Experiment(e.data(), e.tokenizer(), e.model(), e.lora(), e.chatTemplate(), e.pretrain(),
                e.sft(), e.rewardModel(), e.ppo(), new Experiment.Evaluation(false, 2, 1, List.of(), 2), "cpu", e.seed());
        Path out = dir.resolve("run");
        new ExperimentRunner(out).resumable(() -> false).run(noBestOfN, null);
        assertEquals("false", chatTemplateOf(out.resolve("ppo")));
        try (FolderTokenizer tok = FolderTokenizer.open(llama)) {
            int[] prompt = RunState.turns(e, llama, tok).promptIds("Any tips?");
            assertArrayEquals(tok.encode("Any tips?"), prompt);
        }
    }

    /** Whether the policy-gradient run in {@code dir} was trained on chat-template turns, as its checkpoint records. */
    private static String chatTemplateOf(Path dir) throws IOException {
        return new ObjectMapper().readTree(dir.resolve("checkpoint/trainer_state.json").toFile())
                .path("settings").path("chatTemplate").asText();
    }

    /**
     * The worker's resumable runner, started again on a finished run's folder, takes every stage over from its
     * checkpoint: SFT's merged Llama with the folder's tokenizer, the reward model as adapters on it ({@code rm/adapter}),
     * PPO at its last step; the numbers are those of the first run.
     */
    @Test
    void aResumedLoraRunReopensEveryStageAndMeasuresTheSame(@TempDir Path dir) throws IOException {
        Experiment e = fromFolder(TinyLlamas.withLlama3Tokenizer(dir.resolve("llama"), true));
        Experiment noBestOfN = new Experiment(e.data(), e.tokenizer(), e.model(), e.lora(), e.chatTemplate(), e.pretrain(),
                e.sft(), e.rewardModel(), e.ppo(), new Experiment.Evaluation(false, 2, 1, List.of(), 2), "cpu", e.seed());
        Path out = dir.resolve("run");
        ExperimentResult first = new ExperimentRunner(out).resumable(() -> false).run(noBestOfN, null);
        // the folder has a chat template: PPO was given its turns, as its checkpoint records, and the resumed run,
        // which decides again from SFT's checkpoint, was too (a checkpoint refuses to resume with other turns)
        assertEquals("true", chatTemplateOf(out.resolve("ppo")));
        ExperimentResult again = new ExperimentRunner(out).resumable(() -> false).run(noBestOfN, null);
        for (String key : List.of("pretrain_skipped", "sft_val_loss", "rm_val_accuracy", "rm_shift", "ppo_kl", "ppo_proxy")) {
            assertEquals(first.value(key), again.value(key), key);
        }
    }

    /**
     * LoRA on the GPT the run pretrains: SFT's adapters merged into a GPT-2 checkpoint, the reward model and the
     * policy as adapters on it.
     */
    @Test
    void aPretrainedGptTrainsWithLoraToo(@TempDir Path out) {
        Experiment m = ExperimentTest.micro();
        Experiment e = new Experiment(m.data(), m.tokenizer(), m.model(), new LoraSettings(2, 4.0, 0.0, "c_attn"), true,
                m.pretrain(), m.sft(), m.rewardModel(), m.ppo(), new Experiment.Evaluation(true, 4, 2, List.of(), 3),
                "cpu", 3);
        ExperimentResult r = new ExperimentRunner(out).run(e, null);
        assertEquals(List.of("pretrain", "sft", "rm", "ppo"), List.copyOf(r.metrics().keySet()));
        assertTrue(Double.isNaN(r.value("pretrain_skipped")), "pretrained, not skipped");
        for (String key : List.of("sft_val_loss", "rm_val_accuracy", "ppo_kl", "ppo_gold")) {
            assertTrue(Double.isFinite(r.value(key)), key);
        }
        try (CausalLm sft = ModelFolder.open(out.resolve("sft/checkpoint"), Device.cpu())) {
            assertEquals("gpt2", sft.modelType());
        }
        assertTrue(Files.isRegularFile(out.resolve("rm/adapter/adapter_config.json")));
    }
}
