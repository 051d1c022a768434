package plaudit.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.model.TinyLlamas;
import plaudit.model.CausalLm;
import plaudit.model.Checkpoint;
import plaudit.model.HfGpt2;
import plaudit.model.LlamaConfig;
import plaudit.model.ModelFolder;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportCommandTest {
    @TempDir
    Path tmp;

    @Test
    void exportsAnHfFolderWithoutTrainingState() throws IOException, URISyntaxException {
        Path fixture = Path.of(getClass().getResource("/model/hf-tiny-gpt2/config.json").toURI()).getParent();
        Path out = tmp.resolve("hf");
        assertEquals(0, PlauditCli.run("export", fixture.toString(), out.toString(), "--dtype", "f16"));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("config.json", "merges.txt", "model.safetensors", "vocab.json"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Checkpoint exported = Checkpoint.read(out);
        Checkpoint source = Checkpoint.read(fixture);
        assertEquals(source.config(), exported.config());
        assertEquals(10, exported.eosTokenId().getAsInt());
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // the fixture's values are multiples of 1/64, exact in F16
            Map<String, NDArray> a = source.parameters(m);
            Map<String, NDArray> b = exported.parameters(m);
            for (String name : HfGpt2.parameterShapes(source.config()).keySet()) {
                assertArrayEquals(a.get(name).toFloatArray(), b.get(name).toFloatArray(), name);
            }
        }
    }

    @Test
    void exportsALlamaFolderWithItsTokenizerFilesAndWithoutTrainingState() throws IOException {
        Path src = TinyLlamas.withLlama3Tokenizer(tmp.resolve("llama"), true);
        Files.writeString(src.resolve("trainer_state.json"), "{\"step\": 3}");
        Path out = tmp.resolve("hf");
        assertEquals(0, PlauditCli.run("export", src.toString(), out.toString()));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                    "tokenizer_config.json"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (String f : List.of("generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(src.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        assertEquals(LlamaConfig.read(src.resolve("config.json")), LlamaConfig.read(out.resolve("config.json")));
        int[] ids = {128000, 9906, 1917, 11};
        try (CausalLm a = ModelFolder.open(src, Device.cpu()); CausalLm b = ModelFolder.open(out, Device.cpu())) {
            assertArrayEquals(a.sequenceLogProbs(ids), b.sequenceLogProbs(ids));
        }
        Path half = tmp.resolve("bf16");
        assertEquals(0, PlauditCli.run("export", src.toString(), half.toString(), "--dtype", "bf16"));
        assertEquals("bfloat16", new ObjectMapper().readTree(half.resolve("config.json").toFile()).get("torch_dtype").textValue());
        assertTrue(Files.size(half.resolve("model.safetensors")) < Files.size(out.resolve("model.safetensors")) * 0.6);
        try (CausalLm b = ModelFolder.open(half, Device.cpu())) {
            assertEquals("llama", b.modelType());
        }
    }

    @Test
    void badInputExitsWithStatusTwo() {
        assertEquals(2, PlauditCli.run("export", tmp.resolve("missing").toString(), tmp.resolve("out").toString()));
        assertEquals(2, PlauditCli.run("export", tmp.toString(), tmp.toString()));
        assertEquals(2, PlauditCli.run("export", tmp.toString(), tmp.resolve("out").toString(), "--dtype", "f8"));
    }

    /** Export refuses NaN weights naming the file and tensor, and writes nothing (issue 27, item 10: it exported them). */
    @Test
    void nanWeightsAreRefusedAndNothingIsWritten() {
        Path damaged = TinyCheckpoints.withNan(tmp.resolve("nan"));
        CliRun.Result r = CliRun.run("export", damaged.toString(), tmp.resolve("out").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(damaged.resolve("model.safetensors") + ": holds NaN in tensor "), r.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }
}
