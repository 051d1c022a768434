package plaudit.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.data.Comparison;
import plaudit.data.ComparisonsJsonl;
import plaudit.data.Split;
import plaudit.experiment.Experiment;
import plaudit.experiment.SftStage;
import plaudit.model.CausalLm;
import plaudit.model.LlamaConfig;
import plaudit.model.ModelFolder;
import plaudit.model.ScoreModel;
import plaudit.model.TinyLlamas;
import plaudit.text.Turns;
import plaudit.train.Sequences;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI chain sft → train-rm → ppo / rloo / dpo from a tiny random Llama folder with the real Llama 3 tokenizer,
 * as a user would run it on a Hugging Face model: every stage writes a Llama folder that the next one opens, with the
 * tokenizer files and end-of-sequence ids of the first.
 */
class LlamaPipelineCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LlamaConfig CFG = TinyLlamas.LLAMA3_VOCAB;
    private static final List<String> TRAVELLING = List.of("tokenizer.json", "tokenizer_config.json",
            "generation_config.json");

    @TempDir
    static Path dir;
    private static Path llama;
    private static Path pairs;

    @BeforeAll
    static void folders() throws IOException {
        llama = TinyLlamas.withLlama3Tokenizer(dir.resolve("llama"), true);
        pairs = pairs(dir.resolve("pairs"));
        assertEquals(0, PlauditCli.run("sft", "--pairs", pairs.toString(), "--init", llama.toString(), "--out",
                dir.resolve("sft").toString(), "--steps", "3", "--batch", "2", "--max-response", "12"));
        assertEquals(0, PlauditCli.run("train-rm", "--pairs", pairs.toString(), "--sft", sft().toString(), "--out",
                dir.resolve("rm").toString(), "--steps", "2", "--batch", "2", "--max-response", "12",
                "--recenter-prompts", "2"));
    }

    static Path pairs(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Comparison> train = new ArrayList<>();
        String[][] texts = {{"How do I boil an egg?", "Nine minutes in boiling water.", "Eggs come from hens."},
                {"Name a cat.", "Sir Meows-a-Lot.", "Cat."}, {"Is tea good?", "Yes, green tea is lovely.", "No."},
                {"Where is Paris?", "In France, on the Seine.", "Somewhere."}};
        for (int i = 0; i < texts.length; i++) {
            train.add(new Comparison(texts[i][0], texts[i][1], texts[i][2], 10 + i, 2, "t" + i, "test", Split.TRAIN,
                    Double.NaN));
        }
        ComparisonsJsonl.write(ComparisonsJsonl.SplitWriter.file(dir, Split.TRAIN), train, false);
        ComparisonsJsonl.write(ComparisonsJsonl.SplitWriter.file(dir, Split.VAL), train.subList(0, 2), false);
        return dir;
    }

    private static Path sft() {
        return dir.resolve("sft/checkpoint");
    }

    private static Path rm() {
        return dir.resolve("rm/checkpoint");
    }

    @Test
    void sftWritesALlamaFolderWithTheTokenizerFilesThatReopens() throws IOException {
        assertEquals(CFG, LlamaConfig.read(sft().resolve("config.json")));
        assertTravelled(sft());
        assertFinite(dir.resolve("sft/metrics.csv"), "loss");
        int[] ids = {128000, 9906, 1917, 11, 1268, 527, 499, 30};
        try (CausalLm before = ModelFolder.open(llama, Device.cpu());
             CausalLm after = ModelFolder.open(sft(), Device.cpu())) {
            assertEquals("llama", after.modelType());
            assertFalse(Arrays.equals(before.sequenceLogProbs(ids), after.sequenceLogProbs(ids)), "SFT changed the model");
        }
    }

    /** What the sft command does, in process: the folder it writes holds exactly the model it trained. */
    @Test
    void aTrainedLlamaReopensWithTheLogProbsItHadWhenSaved(@TempDir Path tmp) throws Exception {
        int[] ids = {128000, 9906, 1917, 11, 1268, 527};
        try (ModelInput in = ModelInput.open(llama); CausalLm model = in.model(Device.cpu())) {
            float[] untrained = model.sequenceLogProbs(ids);
            SftStage.train(model, Sequences.plain(in.tok()), PairsInput.read(pairs).splits(), new Experiment.Sft(2, 2, 1e-3), 12, 3,
                    tmp.resolve("metrics.csv"));
            float[] trained = model.sequenceLogProbs(ids);
            assertFalse(Arrays.equals(untrained, trained));
            SftStage.write(model, in.tok(), tmp.resolve("sft"));
            try (CausalLm back = ModelFolder.open(tmp.resolve("sft"), Device.cpu())) {
                assertArrayEquals(trained, back.sequenceLogProbs(ids));
            }
        }
    }

    @Test
    void rewardModelReopensWithItsHeadAndTokenizer() throws IOException {
        assertTravelled(rm());
        assertFinite(dir.resolve("rm/metrics.csv"), "loss");
        assertFinite(dir.resolve("rm/metrics.csv"), "val_loss");
        try (ScoreModel rm = ScoreModel.load(rm(), Device.cpu())) {
            assertEquals("llama", rm.trunk().modelType());
            assertEquals(CFG.hiddenSize(), rm.headParameters().get(ScoreModel.HEAD_WEIGHT).getShape().get(1));
        }
    }

    @Test
    void ppoRunsAndItsResumedRunEndsAsAnUninterruptedOne() throws IOException {
        List<String> ppo = List.of("ppo", "--sft", sft().toString(), "--rm", rm().toString(), "--pairs",
                pairs.toString(), "--batch", "2", "--mini-batch", "2", "--epochs", "1", "--response-length", "6",
                "--checkpoint-every", "1");
        assertEquals(0, run(ppo, "--out", dir.resolve("ppo").toString(), "--steps", "3"));
        assertEquals(0, run(ppo, "--out", dir.resolve("ppo_cut").toString(), "--steps", "2"));
        assertEquals(0, run(ppo, "--out", dir.resolve("ppo_cut").toString(), "--steps", "3", "--resume"));

        assertFinite(dir.resolve("ppo/metrics.csv"), "objective/scores");
        assertSameNumbers(withoutTiming(dir.resolve("ppo/metrics.csv")), withoutTiming(dir.resolve("ppo_cut/metrics.csv")));
        assertTravelled(dir.resolve("ppo/checkpoint"));
        int[] ids = {128000, 9906, 1917, 11, 1268};
        try (CausalLm straight = ModelFolder.open(dir.resolve("ppo/checkpoint"), Device.cpu());
             CausalLm resumed = ModelFolder.open(dir.resolve("ppo_cut/checkpoint"), Device.cpu())) {
            assertArrayEquals(straight.sequenceLogProbs(ids), resumed.sequenceLogProbs(ids));
        }
    }

    @Test
    void rlooAndDpoRunFromTheLlamaSftFolder() throws IOException {
        assertEquals(0, PlauditCli.run("rloo", "--sft", sft().toString(), "--rm", rm().toString(), "--pairs",
                pairs.toString(), "--out", dir.resolve("rloo").toString(), "--steps", "2", "--prompts", "2", "-k", "2",
                "--mini-batch", "2", "--response-length", "6"));
        assertFinite(dir.resolve("rloo/metrics.csv"), "objective/scores");
        assertTravelled(dir.resolve("rloo/checkpoint"));

        assertEquals(0, PlauditCli.run("dpo", "--sft", sft().toString(), "--pairs", pairs.toString(), "--out",
                dir.resolve("dpo").toString(), "--steps", "2", "--batch", "2", "--max-response", "12"));
        assertFinite(dir.resolve("dpo/metrics.csv"), "loss");
        assertTravelled(dir.resolve("dpo/checkpoint"));
        try (CausalLm dpo = ModelFolder.open(dir.resolve("dpo/checkpoint"), Device.cpu())) {
            assertEquals(CFG.vocabSize(), dpo.vocabSize());
        }
    }

    /** The folder's chat template is on by default; --no-chat-template gives plain text. */
    @Test
    void theFoldersChatTemplateIsOnUnlessTurnedOff() throws Exception {
        ChatTemplateOption on = new ChatTemplateOption(), off = new ChatTemplateOption();
        off.off = true;
        try (ModelInput in = ModelInput.open(sft())) {
            Turns chat = in.turns(on), plain = in.turns(off);
            assertTrue(chat.chatTemplate());
            assertEquals(128009, chat.stopIds()[0]);
            assertArrayEquals(in.tok().encode("Name a cat."), plain.promptIds("Name a cat."));
            assertArrayEquals(new int[] {128001, 128009}, plain.stopIds());
        }
        for (String command : List.of("sft", "train-rm", "ppo", "rloo", "dpo", "sample")) {
            assertTrue(PlauditCli.commandLine().getSubcommands().get(command).getUsageMessage()
                    .contains("--no-chat-template"), command);
        }
    }

    /** A PPO run records whether it used the chat template, and a resumed run may not switch. */
    @Test
    void ppoResumeRefusesASwitchOfChatTemplate() throws IOException {
        List<String> ppo = List.of("ppo", "--sft", sft().toString(), "--rm", rm().toString(), "--pairs",
                pairs.toString(), "--batch", "2", "--mini-batch", "2", "--epochs", "1", "--response-length", "4",
                "--checkpoint-every", "1", "--out", dir.resolve("ppo_switch").toString());
        assertEquals(0, run(ppo, "--steps", "1"));
        JsonNode state = JSON.readTree(dir.resolve("ppo_switch/checkpoint/trainer_state.json").toFile());
        assertEquals("true", state.get("settings").get("chatTemplate").asText());
        assertEquals(2, run(ppo, "--steps", "2", "--resume", "--no-chat-template"));
    }

    @Test
    void sampleAsksThroughTheChatTemplateOrPlainText() {
        assertEquals(0, PlauditCli.run("sample", "--checkpoint", sft().toString(), "--prompt", "Name a cat.",
                "--max-tokens", "3", "--num", "2"));
        assertEquals(0, PlauditCli.run("sample", "--checkpoint", sft().toString(), "--prompt", "Name a cat.",
                "--max-tokens", "3", "--no-chat-template"));
    }

    /** A folder that names no end-of-sequence id: nothing is appended to replies, and padding uses a valid id. */
    @Test
    void aFolderWithoutEosIdsTrains(@TempDir Path tmp) throws IOException {
        Path noEos = TinyLlamas.withLlama3Tokenizer(tmp.resolve("llama"), false);
        assertEquals(0, PlauditCli.run("sft", "--pairs", pairs.toString(), "--init", noEos.toString(), "--out",
                tmp.resolve("sft").toString(), "--steps", "2", "--batch", "2", "--max-response", "12"));
        assertFinite(tmp.resolve("sft/metrics.csv"), "loss");
        assertEquals(0, PlauditCli.run("train-rm", "--pairs", pairs.toString(), "--sft",
                tmp.resolve("sft/checkpoint").toString(), "--out", tmp.resolve("rm").toString(), "--steps", "2",
                "--batch", "2", "--max-response", "12", "--recenter-prompts", "0"));
        assertFalse(Files.exists(tmp.resolve("sft/checkpoint/generation_config.json")));
        assertFalse(JSON.readTree(tmp.resolve("sft/checkpoint/config.json").toFile()).has("eos_token_id"));
    }

    /** The source folder's tokenizer files, byte for byte, and its end-of-sequence list. */
    private static void assertTravelled(Path checkpoint) {
        try {
            for (String f : TRAVELLING) {
                assertArrayEquals(Files.readAllBytes(llama.resolve(f)), Files.readAllBytes(checkpoint.resolve(f)), f);
            }
            JsonNode config = JSON.readTree(checkpoint.resolve("config.json").toFile());
            assertEquals(128000, config.get("bos_token_id").intValue());
            assertEquals(128001, config.get("eos_token_id").intValue());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Every row of {@code csv} has a finite {@code column}. */
    static void assertFinite(Path csv, String column) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        int c = Arrays.asList(lines.get(0).split(",")).indexOf(column);
        assertTrue(c >= 0, column + " in " + lines.get(0));
        assertTrue(lines.size() > 1, "rows in " + csv);
        for (String line : lines.subList(1, lines.size())) {
            assertTrue(Double.isFinite(Double.parseDouble(line.split(",", -1)[c])), column + " in " + line);
        }
    }

    /** Equal cell by cell, numbers up to the rounding of rows a resumed run read back from metrics.csv. */
    private static void assertSameNumbers(List<String> expected, List<String> actual) {
        assertEquals(expected.get(0), actual.get(0));
        assertEquals(expected.size(), actual.size());
        for (int r = 1; r < expected.size(); r++) {
            String[] e = expected.get(r).split(",", -1), a = actual.get(r).split(",", -1);
            assertEquals(e.length, a.length);
            for (int i = 0; i < e.length; i++) {
                if (e[i].isEmpty() || a[i].isEmpty()) {
                    assertEquals(e[i], a[i], "row " + r);
                } else {
                    double x = Double.parseDouble(e[i]);
                    assertEquals(x, Double.parseDouble(a[i]), 1e-5 * Math.max(1, Math.abs(x)), "row " + r + " cell " + i);
                }
            }
        }
    }

    /** The rows without the columns that measure time. */
    private static List<String> withoutTiming(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = Arrays.asList(lines.get(0).split(","));
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String[] cells = line.split(",", -1);
            StringBuilder kept = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                String name = header.get(i);
                if (name.startsWith("time") || name.contains("_time") || name.endsWith("_s")) continue;
                kept.append(cells[i]).append(',');
            }
            out.add(kept.toString());
        }
        return out;
    }

    private static int run(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return PlauditCli.run(all.toArray(String[]::new));
    }
}
