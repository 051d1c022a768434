package plaudit.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import plaudit.UserError;
import plaudit.model.TinyLlamas;
import plaudit.model.CausalLm;
import plaudit.model.LoraAdapters;
import plaudit.model.LoraLm;
import plaudit.model.LoraSettings;
import plaudit.model.ModelFolder;
import plaudit.model.Safetensors;
import plaudit.model.ScoreModel;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 22's check of LoRA end to end, as a user runs it: from upvote pairs of the bundled sample (samples/forum) and a
 * tiny random Llama Hugging Face folder with the real Llama 3 tokenizer, {@code sft}, {@code train-rm} and {@code ppo}
 * with {@code --lora-rank 4}. Each stage writes the merged Hugging Face folder the next stage opens and its adapters in
 * PEFT's form over the folder it started from; PPO holds one copy of the base for policy, reference, value function and
 * reward model, and leaves that base as the SFT folder has it.
 */
class LoraPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Token ids of Llama 3 ({@code <|begin_of_text|>Hello world, how are you?}). */
    private static final int[] IDS = {128000, 9906, 1917, 11, 1268, 527, 499, 30};
    private static final double SAME = 1e-5;

    @TempDir
    static Path dir;
    private static Path llama;
    private static Path pairs;

    @BeforeAll
    static void pipeline() throws IOException {
        llama = TinyLlamas.withLlama3Tokenizer(dir.resolve("llama"), true);
        pairs = forumPairs(dir.resolve("forum-pairs"), dir.resolve("pairs"));
        run("sft", "--pairs", pairs.toString(), "--init", llama.toString(), "--out", dir.resolve("sft").toString(),
                "--steps", "3", "--batch", "2", "--lr", "1e-2", "--max-response", "12", "--lora-rank", "4");
        run("train-rm", "--pairs", pairs.toString(), "--sft", sft().toString(), "--out", dir.resolve("rm").toString(),
                "--steps", "3", "--batch", "2", "--lr", "1e-2", "--max-response", "12", "--recenter-prompts", "2",
                "--lora-rank", "4");
        run(ppoArgs(dir.resolve("ppo"), "--steps", "2"));
    }

    /**
     * {@code plaudit pairs} on the bundled sample, then its shortest comparisons only (12 to train on, 4 to validate),
     * so that the stages run in seconds: every position costs logits over Llama 3's 128,256 ids.
     */
    private static Path forumPairs(Path all, Path few) throws IOException {
        Path forum = Path.of(System.getProperty("plaudit.repo.dir", ".."), "samples", "forum");
        run("pairs", "--source", "reddit", "--submissions", forum.resolve("RS_forum.zst").toString(), "--comments",
                forum.resolve("RC_forum.zst").toString(), "--out", all.toString(), "--quiet");
        Files.createDirectories(few);
        for (String[] split : new String[][] {{"train", "12"}, {"val", "4"}, {"test", "4"}}) {
            List<String> lines = new ArrayList<>(Files.readAllLines(all.resolve(split[0] + ".jsonl")));
            lines.sort(Comparator.comparingInt(String::length)); // stable: ties keep the file's order
            int n = Integer.parseInt(split[1]);
            assertTrue(lines.size() >= n, split[0] + " has " + lines.size() + " comparisons");
            Files.write(few.resolve(split[0] + ".jsonl"), lines.subList(0, n));
        }
        return few;
    }

    private static String[] ppoArgs(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("ppo", "--sft", sft().toString(), "--rm", rm().toString(),
                "--pairs", pairs.toString(), "--out", out.toString(), "--batch", "2", "--mini-batch", "2", "--epochs",
                "1", "--response-length", "6", "--checkpoint-every", "1", "--lora-rank", "4"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static Path sft() {
        return dir.resolve("sft/checkpoint");
    }

    private static Path rm() {
        return dir.resolve("rm/checkpoint");
    }

    @Test
    void sftWritesTheMergedFolderAndItsAdaptersInPeftForm() throws IOException {
        LlamaPipelineCommandsTest.assertFinite(dir.resolve("sft/metrics.csv"), "loss");
        Path adapter = dir.resolve("sft/adapter");
        JsonNode config = JSON.readTree(adapter.resolve(LoraAdapters.CONFIG).toFile());
        assertEquals("LORA", config.get("peft_type").asText());
        assertEquals(4, config.get("r").asInt());
        assertEquals(llama.toAbsolutePath().normalize().toString(), config.get("base_model_name_or_path").asText());
        try (Safetensors.Reader r = Safetensors.open(adapter.resolve(LoraAdapters.WEIGHTS))) {
            // all-linear on a 1-layer Llama: 7 projections, A and B each, under PEFT's names
            assertEquals(14, r.names().size());
            assertTrue(r.has("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"), r.names().toString());
            assertTrue(r.has("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"), r.names().toString());
        }
        // the merged folder is the base with the adapters: what PEFT's merge_and_unload would write
        try (CausalLm base = ModelFolder.open(llama, Device.cpu()); CausalLm view = LoraLm.load(base, adapter);
             CausalLm merged = ModelFolder.open(sft(), Device.cpu())) {
            assertClose(view.sequenceLogProbs(IDS), merged.sequenceLogProbs(IDS));
            assertFalse(Arrays.equals(base.sequenceLogProbs(IDS), merged.sequenceLogProbs(IDS)), "SFT trained");
        }
    }

    @Test
    void rewardModelReopensWithTheScoresOfItsAdaptersOnTheSftBase() throws IOException {
        LlamaPipelineCommandsTest.assertFinite(dir.resolve("rm/metrics.csv"), "loss");
        JsonNode config = JSON.readTree(dir.resolve("rm/adapter").resolve(LoraAdapters.CONFIG).toFile());
        assertEquals(sft().toAbsolutePath().normalize().toString(), config.get("base_model_name_or_path").asText());
        try (ScoreModel reopened = ScoreModel.load(rm(), Device.cpu());
             CausalLm base = ModelFolder.open(sft(), Device.cpu());
             ScoreModel view = LoraScoreModels.reward(rm(), sft(), base, Device.cpu())) {
            assertSame(base, view.trunk().base(), "the reward model is a view on the SFT base");
            assertClose(scores(reopened), scores(view));
            // the trunk trained through its adapters: the merged trunk is no longer the SFT model
            assertFalse(Arrays.equals(base.sequenceLogProbs(IDS), reopened.trunk().sequenceLogProbs(IDS)));
        }
    }

    /**
     * The reward model's adapters serve PPO only over the SFT folder they were trained on: that folder, or a copy of
     * it; over another model (here the untrained Llama) the reward model is loaded whole.
     */
    @Test
    void theRewardAdaptersAreUsedOnlyOverTheirOwnBase() throws IOException {
        Path copy = dir.resolve("sft-copy");
        Files.createDirectories(copy);
        try (var files = Files.list(sft())) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
        }
        assertEquals(dir.resolve("rm/adapter").toAbsolutePath().normalize(), LoraScoreModels.adapterOnSameBase(rm(), sft()));
        assertEquals(dir.resolve("rm/adapter").toAbsolutePath().normalize(), LoraScoreModels.adapterOnSameBase(rm(), copy));
        assertNull(LoraScoreModels.adapterOnSameBase(rm(), llama));
        Path damaged = dir.resolve("damaged/adapter").resolve(LoraAdapters.CONFIG);
        Files.createDirectories(damaged.getParent());
        Files.writeString(damaged, "{\"base_model_name_or_path\": ");
        UserError e = assertThrows(UserError.class,
                () -> LoraScoreModels.adapterOnSameBase(dir.resolve("damaged/checkpoint"), sft()));
        assertTrue(e.getMessage().startsWith(damaged.toAbsolutePath().normalize().toString()), e.getMessage());
        try (CausalLm other = ModelFolder.open(llama, Device.cpu());
             ScoreModel whole = LoraScoreModels.reward(rm(), llama, other, Device.cpu())) {
            assertNotSame(other, whole.trunk().base());
            assertSame(whole.trunk(), whole.trunk().base(), "the reward model's own merged trunk");
        }
    }

    /**
     * PPO's value function with LoRA: on the reward model's own base, the reward model as a view (its adapters and
     * head); on another base, fresh adapters of the run's settings under the reward model's head.
     */
    @Test
    void theValueFunctionIsAHeadWithAdaptersOnTheBase() {
        LoraSettings lora = new LoraSettings(2, 16, 0, "q_proj");
        try (ScoreModel rm = ScoreModel.load(rm(), Device.cpu());
             CausalLm sft = ModelFolder.open(sft(), Device.cpu());
             ScoreModel value = LoraScoreModels.value(rm(), sft(), sft, lora, 3);
             CausalLm other = ModelFolder.open(llama, Device.cpu());
             ScoreModel fresh = LoraScoreModels.value(rm(), llama, other, lora, 3)) {
            assertSame(sft, value.trunk().base());
            assertClose(scores(rm), scores(value));
            assertSame(other, fresh.trunk().base());
            assertEquals(List.of("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"),
                    List.copyOf(fresh.trunk().parameters().keySet()));
            assertArrayEquals(rm.headParameters().get(ScoreModel.HEAD_WEIGHT).toFloatArray(),
                    fresh.headParameters().get(ScoreModel.HEAD_WEIGHT).toFloatArray());
        }
    }

    @Test
    void ppoTrainsAdaptersWhoseMergedFolderAndPeftFormReopen() throws IOException {
        Path out = dir.resolve("ppo");
        for (String metric : List.of("objective/scores", "objective/kl", "loss/policy_avg", "loss/value_avg")) {
            LlamaPipelineCommandsTest.assertFinite(out.resolve("metrics.csv"), metric);
        }
        JsonNode config = JSON.readTree(out.resolve("adapter").resolve(LoraAdapters.CONFIG).toFile());
        assertEquals(sft().toAbsolutePath().normalize().toString(), config.get("base_model_name_or_path").asText());
        try (CausalLm base = ModelFolder.open(sft(), Device.cpu());
             CausalLm view = LoraLm.load(base, out.resolve("adapter"));
             CausalLm merged = ModelFolder.open(out.resolve("checkpoint"), Device.cpu())) {
            assertEquals("llama", merged.modelType());
            assertClose(view.sequenceLogProbs(IDS), merged.sequenceLogProbs(IDS));
        }
    }

    @Test
    void rlooAndDpoTrainAdaptersOnTheSftFolder() throws IOException {
        run("rloo", "--sft", sft().toString(), "--rm", rm().toString(), "--pairs", pairs.toString(), "--out",
                dir.resolve("rloo").toString(), "--steps", "2", "--prompts", "2", "-k", "2", "--mini-batch", "2",
                "--response-length", "6", "--lora-rank", "4");
        LlamaPipelineCommandsTest.assertFinite(dir.resolve("rloo/metrics.csv"), "objective/scores");
        run("dpo", "--sft", sft().toString(), "--pairs", pairs.toString(), "--out", dir.resolve("dpo").toString(),
                "--steps", "2", "--batch", "2", "--max-response", "12", "--lora-rank", "4", "--lora-targets",
                "q_proj,v_proj");
        LlamaPipelineCommandsTest.assertFinite(dir.resolve("dpo/metrics.csv"), "loss");
        for (String method : List.of("rloo", "dpo")) {
            Path adapter = dir.resolve(method).resolve("adapter");
            JsonNode config = JSON.readTree(adapter.resolve(LoraAdapters.CONFIG).toFile());
            assertEquals(sft().toAbsolutePath().normalize().toString(), config.get("base_model_name_or_path").asText());
            try (CausalLm base = ModelFolder.open(sft(), Device.cpu()); CausalLm view = LoraLm.load(base, adapter);
                 CausalLm merged = ModelFolder.open(dir.resolve(method).resolve("checkpoint"), Device.cpu())) {
                assertClose(view.sequenceLogProbs(IDS), merged.sequenceLogProbs(IDS));
                assertFalse(Arrays.equals(base.sequenceLogProbs(IDS), merged.sequenceLogProbs(IDS)), method + " trained");
            }
        }
        assertEquals("[\"q_proj\",\"v_proj\"]", JSON.readTree(dir.resolve("dpo/adapter").resolve(LoraAdapters.CONFIG)
                .toFile()).get("target_modules").toString());
    }

    /**
     * The models {@code plaudit ppo --lora-rank 4} trains with, loaded as the command loads them: the policy, the
     * value function and the reward model are views on the reference, the one copy of the SFT base, which a PPO step
     * leaves as the SFT folder has it while the policy moves.
     */
    @Test
    void ppoHoldsOneCopyOfTheBaseAndLeavesItUnchanged() throws Exception {
        PpoCommand cmd = new PpoCommand();
        String[] args = ppoArgs(dir.resolve("ppo-models"), "--steps", "1");
        new CommandLine(cmd).parseArgs(Arrays.copyOfRange(args, 1, args.length)); // without the command's name
        PpoConfig cfg = cmd.config();
        try (PolicyModels m = PolicyModels.load(cmd.io, Device.cpu(), cmd.lora, cmd.run.seed());
             ScoreModel value = cmd.value(m, cfg);
             CausalLm sft = ModelFolder.open(sft(), Device.cpu())) {
            CausalLm base = m.ref();
            assertSame(base, base.base(), "the reference is a full model: the base itself");
            assertSame(base, m.policy().base());
            assertSame(base, value.trunk().base());
            assertSame(base, m.reward().trunk().base());
            Set<NDArray> baseArrays = Collections.newSetFromMap(new IdentityHashMap<>());
            for (CausalLm lm : List.of(m.ref(), m.policy(), value.trunk(), m.reward().trunk())) {
                baseArrays.addAll(lm.base().parameters().values());
            }
            assertEquals(base.parameters().size(), baseArrays.size(), "one copy of the base weights");
            assertEquals(4, m.policy().parameters().values().iterator().next().getShape().get(0), "policy adapters r");
            assertTrue(m.policy().parameters().keySet().stream().allMatch(k -> k.contains(".lora_")));

            float[] policyBefore = m.policy().sequenceLogProbs(IDS);
            assertClose(sft.sequenceLogProbs(IDS), policyBefore); // fresh adapters: B = 0
            PpoTrainer ppo = new PpoTrainer(m.policy(), m.ref(), value, m.scorer(cfg.responseLength()), m.gold(),
                    m.turns(), m.prompts(), cfg);
            ppo.step(new ArrayList<>());
            assertArrayEquals(sft.sequenceLogProbs(IDS), base.sequenceLogProbs(IDS), "the reference is the SFT model");
            assertFalse(Arrays.equals(policyBefore, m.policy().sequenceLogProbs(IDS)), "the policy trained");
            String q = "model.layers.0.self_attn.q_proj.weight";
            assertArrayEquals(sft.parameters().get(q).toFloatArray(), base.parameters().get(q).toFloatArray());
        }
    }

    /** The checkpoint keeps the policy's and the value function's adapters: a resumed run ends where a straight one does. */
    @Test
    void aResumedLoraPpoRunEndsAsAnUninterruptedOne() throws IOException {
        Path cut = dir.resolve("ppo-cut");
        run(ppoArgs(cut, "--steps", "1"));
        run(ppoArgs(cut, "--steps", "2", "--resume"));
        assertEquals(Files.readString(dir.resolve("ppo/adapter").resolve(LoraAdapters.CONFIG)),
                Files.readString(cut.resolve("adapter").resolve(LoraAdapters.CONFIG)));
        try (CausalLm straight = ModelFolder.open(dir.resolve("ppo/checkpoint"), Device.cpu());
             CausalLm resumed = ModelFolder.open(cut.resolve("checkpoint"), Device.cpu())) {
            assertArrayEquals(straight.sequenceLogProbs(IDS), resumed.sequenceLogProbs(IDS));
        }
    }

    @Test
    void aResumedPpoRunRefusesOtherLoraSettings() {
        Path out = dir.resolve("ppo");
        CliRun.Result r = CliRun.run(ppoArgs(out, "--steps", "3", "--resume", "--lora-alpha", "32"));
        assertNotEquals(0, r.status());
        assertTrue(r.err().contains("lora_alpha was 16, now 32"), r.err());
        r = CliRun.run(withoutLora(ppoArgs(out, "--steps", "3", "--resume")));
        assertNotEquals(0, r.status());
        assertTrue(r.err().contains("lora_rank was 4, now 0"), r.err());
    }

    private static String[] withoutLora(String[] args) {
        List<String> kept = new ArrayList<>(Arrays.asList(args));
        int i = kept.indexOf("--lora-rank");
        kept.remove(i + 1);
        kept.remove(i);
        return kept.toArray(String[]::new);
    }

    private static float[] scores(ScoreModel rm) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            long[] ids = Arrays.stream(IDS).asLongStream().toArray();
            NDArray in = m.create(ids).reshape(1, ids.length);
            return rm.scores(in, null, false).toFloatArray();
        }
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], SAME * Math.max(1, Math.abs(expected[i])), "position " + i);
        }
    }

    private static void run(String... args) {
        CliRun.Result r = CliRun.run(args);
        assertEquals(0, r.status(), String.join(" ", args) + "\n" + r.err());
    }
}
