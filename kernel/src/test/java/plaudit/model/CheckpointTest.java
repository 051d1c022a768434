package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.text.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static plaudit.model.HfGpt2Test.assertMentions;
import static plaudit.model.SafetensorsTest.assertSameBits;

class CheckpointTest {
    static final GptConfig CFG = new GptConfig(2, 2, 8, 6, 11, 0.1);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** A stand-in tokenizer: characters are ids; save() writes a marker file, or fails to simulate a crash. */
    record FakeTokenizer(String marker, boolean failOnSave) implements Tokenizer {
        @Override
        public int[] encode(String text) {
            return text.chars().map(c -> c % 10).toArray();
        }

        @Override
        public int[] encode(String text, boolean allowSpecial) {
            return encode(text);
        }

        @Override
        public String decode(int[] ids) {
            return "";
        }

        @Override
        public int vocabSize() {
            return 11;
        }

        @Override
        public int eosId() {
            return 10;
        }

        @Override
        public List<String> specialTokens() {
            return List.of("<|endoftext|>");
        }

        @Override
        public void save(Path tokenizerJson) {
            if (failOnSave) throw new UncheckedIOException(new IOException("simulated crash while saving"));
            try {
                Files.writeString(tokenizerJson, "{\"marker\": \"" + marker + "\"}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    record TrainerState(int step, double klCoef, long[] rngState) {
    }

    private Checkpoint.Writer fullWriter(Map<String, NDArray> params, String marker) {
        return Checkpoint.writer().config(CFG).parameters(params).tokenizer(new FakeTokenizer(marker, false))
                .tensors("optimizer", Map.of("m.transformer.wte.weight", params.get(HfGpt2.WTE).mul(0.5f)))
                .json("trainer_state", new TrainerState(1200, 0.05, new long[] {42, -7}));
    }

    private List<String> siblings() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTripIsBitExactAndHfShaped() throws IOException {
        Map<String, NDArray> params = HfGpt2Test.randomParameters(manager, CFG, 3);
        // NaN and infinity are refused on loading (HostileCheckpointsTest); their bits survive Safetensors (SafetensorsTest)
        params.get("transformer.ln_f.bias").set(new float[] {-0f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MIN_NORMAL,
                0, 0, 0, 0});
        Path dir = tmp.resolve("ckpt");
        fullWriter(params, "v1").write(dir);

        assertEquals(List.of("config.json", "model.safetensors", "optimizer.safetensors", "tokenizer.json",
                "trainer_state.json"), list(dir));
        assertEquals(List.of("ckpt"), siblings());
        JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
        assertEquals("gpt2", config.get("model_type").textValue());
        assertEquals(10, config.get("eos_token_id").intValue());
        try (Safetensors.Reader r = Safetensors.open(dir.resolve("model.safetensors"))) {
            assertEquals("pt", r.metadata().get("format"));   // transformers refuses safetensors without it
            assertEquals(HfGpt2.parameterShapes(CFG).keySet(), r.names());
        }

        Checkpoint ckpt = Checkpoint.read(dir);
        assertEquals(CFG, ckpt.config());
        assertEquals(10, ckpt.eosTokenId().getAsInt());
        Map<String, NDArray> back = ckpt.parameters(manager);
        assertEquals(params.keySet(), back.keySet());
        params.forEach((name, a) -> {
            assertEquals(a.getShape(), back.get(name).getShape(), name);
            assertSameBits(a.toFloatArray(), back.get(name).toFloatArray());
        });
        assertEquals(dir.resolve("tokenizer.json"), ckpt.tokenizerFiles().tokenizerJson());
        assertEquals(Set.of("optimizer"), ckpt.tensorNames());
        assertSameBits(params.get(HfGpt2.WTE).mul(0.5f).toFloatArray(),
                ckpt.tensors("optimizer", manager).get("m.transformer.wte.weight").toFloatArray());
        assertEquals(Set.of("trainer_state"), ckpt.jsonNames());
        TrainerState state = ckpt.json("trainer_state", TrainerState.class);
        assertEquals(1200, state.step());
        assertEquals(0.05, state.klCoef());
        assertEquals(-7, state.rngState()[1]);
        assertMentions(assertThrows(UserError.class, () -> ckpt.json("rng")).getMessage(), "no rng.json", "trainer_state");
    }

    @Test
    void replacingKeepsOnlyTheNewCheckpoint() throws IOException {
        Path dir = tmp.resolve("ckpt");
        fullWriter(HfGpt2Test.randomParameters(manager, CFG, 1), "v1").write(dir);
        Map<String, NDArray> v2 = HfGpt2Test.randomParameters(manager, CFG, 2);
        Checkpoint.writer().config(CFG).parameters(v2).tokenizer(new FakeTokenizer("v2", false)).write(dir);
        assertEquals(List.of("ckpt"), siblings());
        assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json"), list(dir));
        assertTrue(Files.readString(dir.resolve("tokenizer.json")).contains("v2"));
        assertSameBits(v2.get(HfGpt2.WTE).toFloatArray(),
                Checkpoint.read(dir).parameters(manager).get(HfGpt2.WTE).toFloatArray());
        // the checkpoint gets the permissions of any new directory (temp directories would be owner-only)
        assertEquals(Files.getPosixFilePermissions(Files.createDirectory(tmp.resolve("probe"))),
                Files.getPosixFilePermissions(dir));
    }

    @Test
    void failureMidWriteLeavesTheOldCheckpointIntact() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Map<String, NDArray> v1 = HfGpt2Test.randomParameters(manager, CFG, 1);
        fullWriter(v1, "v1").write(dir);
        Map<String, NDArray> v2 = HfGpt2Test.randomParameters(manager, CFG, 2);
        // the weights are already written when the tokenizer fails
        Checkpoint.Writer failing = Checkpoint.writer().config(CFG).parameters(v2).tokenizer(new FakeTokenizer("v2", true));
        assertThrows(UncheckedIOException.class, () -> failing.write(dir));

        assertEquals(List.of("ckpt"), siblings());   // no temp dir left that could pass for a checkpoint
        Checkpoint old = Checkpoint.read(dir);
        assertSameBits(v1.get(HfGpt2.WTE).toFloatArray(), old.parameters(manager).get(HfGpt2.WTE).toFloatArray());
        assertTrue(Files.readString(old.tokenizerFiles().tokenizerJson()).contains("v1"));
        assertEquals(1200, old.json("trainer_state").get("step").intValue());
    }

    @Test
    void leftoversOfACrashedWriteAreRemovedByTheNextWrite() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Path stale = Files.createDirectories(tmp.resolve(".ckpt.tmp-123"));
        Files.writeString(stale.resolve("model.safetensors"), "half");
        fullWriter(HfGpt2Test.randomParameters(manager, CFG, 1), "v1").write(dir);
        assertEquals(List.of("ckpt"), siblings());
    }

    @Test
    void crashBetweenTheTwoRenamesIsExplainedOnRead() throws IOException {
        Path dir = tmp.resolve("ckpt");
        fullWriter(HfGpt2Test.randomParameters(manager, CFG, 1), "v1").write(dir);
        Files.move(dir, tmp.resolve(".ckpt.old-77"));
        assertMentions(assertThrows(UserError.class, () -> Checkpoint.read(dir)).getMessage(),
                "no such checkpoint", ".ckpt.old-77", "rename it to ckpt");
    }

    /**
     * kill -9 between a save's two renames: the previous checkpoint is in .old-, the new one complete in .tmp-. The
     * next read finishes the save (the resumable runner found no checkpoint there and started over).
     */
    @Test
    void crashBetweenTheTwoRenamesIsFinishedOnRead() throws IOException {
        Path dir = tmp.resolve("ckpt");
        fullWriter(HfGpt2Test.randomParameters(manager, CFG, 1), "v1").write(dir);
        Map<String, NDArray> v2 = HfGpt2Test.randomParameters(manager, CFG, 2);
        fullWriter(v2, "v2").write(tmp.resolve("v2"));
        Files.move(dir, tmp.resolve(".ckpt.old-77"));
        Files.move(tmp.resolve("v2"), tmp.resolve(".ckpt.tmp-88"));
        assertEquals(v2.get(HfGpt2.WTE), Checkpoint.read(dir).parameters(manager).get(HfGpt2.WTE), "the new save is in place");
        assertEquals(List.of("ckpt"), siblings());
    }

    @Test
    void refusesToReplaceADirectoryThatIsNotACheckpoint() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(home.resolve("todo.txt"), "keep me");
        Checkpoint.Writer w = Checkpoint.writer().config(CFG).parameters(HfGpt2Test.randomParameters(manager, CFG, 1));
        assertMentions(assertThrows(UserError.class, () -> w.write(home)).getMessage(), "not a checkpoint", "refusing");
        assertEquals("keep me", Files.readString(home.resolve("todo.txt")));
        assertEquals(List.of("notes"), siblings());
    }

    @Test
    void wrongParametersFailBeforeAnythingIsWritten() {
        Map<String, NDArray> params = new LinkedHashMap<>(HfGpt2Test.randomParameters(manager, CFG, 1));
        params.remove("transformer.h.1.ln_1.bias");
        Path dir = tmp.resolve("ckpt");
        assertMentions(assertThrows(UserError.class,
                () -> Checkpoint.writer().config(CFG).parameters(params).write(dir)).getMessage(),
                "missing 1", "transformer.h.1.ln_1.bias");
        assertFalse(Files.exists(dir));
    }

    @Test
    void readingADirectoryWithoutConfigIsAClearError() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("half"));
        Files.writeString(dir.resolve("model.safetensors"), "x");
        assertMentions(assertThrows(UserError.class, () -> Checkpoint.read(dir)).getMessage(),
                "half", "config.json is missing", "found: model.safetensors");
        assertMentions(assertThrows(UserError.class, () -> Checkpoint.read(tmp.resolve("none"))).getMessage(),
                "no such checkpoint directory");
    }

    @Test
    void readingChecksWeightsAgainstConfig() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Checkpoint.writer().config(CFG).parameters(HfGpt2Test.randomParameters(manager, CFG, 1)).write(dir);
        assertMentions(assertThrows(UserError.class, () -> Checkpoint.read(dir).tokenizer()).getMessage(),
                "has no tokenizer");
        JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
        ((ObjectNode) config).put("n_layer", 3);
        Files.writeString(dir.resolve("config.json"), config.toString());
        assertMentions(assertThrows(UserError.class, () -> Checkpoint.read(dir)).getMessage(),
                "model.safetensors", "missing 12", "transformer.h.2.ln_1.weight");
        Files.delete(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("pytorch_model.bin"), "");
        assertMentions(assertThrows(UserError.class, () -> Checkpoint.read(dir)).getMessage(),
                "pytorch_model.bin", "safe_serialization=True");
    }

    @Test
    void halfPrecisionExportStoresTwoBytesAndReadsBackRounded() throws IOException {
        Map<String, NDArray> params = HfGpt2Test.randomParameters(manager, CFG, 4);
        Path f32 = tmp.resolve("f32");
        Path bf16 = tmp.resolve("bf16");
        Checkpoint.writer().config(CFG).parameters(params).write(f32);
        Checkpoint.writer().config(CFG).parameters(params).weightsType(Safetensors.DType.BF16).write(bf16);
        try (Safetensors.Reader r = Safetensors.open(bf16.resolve("model.safetensors"))) {
            assertEquals(Safetensors.DType.BF16, r.entry(HfGpt2.WTE).dtype());
            assertEquals(11 * 8 * 2, r.entry(HfGpt2.WTE).byteLength());
        }
        assertEquals("bfloat16", JSON.readTree(bf16.resolve("config.json").toFile()).get("torch_dtype").textValue());
        float[] exact = params.get(HfGpt2.WTE).toFloatArray();
        float[] rounded = Checkpoint.read(bf16).parameters(manager).get(HfGpt2.WTE).toFloatArray();
        assertNotEquals(exact[0], rounded[0]);
        for (int i = 0; i < exact.length; i++) assertEquals(exact[i], rounded[i], Math.abs(exact[i]) / 128 + 1e-30);
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
