package plaudit.model;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged or hostile Llama-family folders: each is refused in one line naming the file or key, before any weight is
 * allocated where the config is the problem.
 */
@Tag("adversarial")
class HostileLlamaCheckpointsTest {
    @TempDir
    Path tmp;

    private Path sharded(String name) {
        return TinyLlamas.write(tmp.resolve(name), TinyLlamas.qwen2(), 1, Safetensors.DType.F32, 2);
    }

    private static void rewriteIndex(Path dir, String from, String to) throws Exception {
        Path index = dir.resolve(HfWeights.INDEX);
        Files.writeString(index, Files.readString(index).replace(from, to));
    }

    private static void rewriteConfig(Path dir, Consumer<ObjectNode> edit) throws Exception {
        Path config = dir.resolve("config.json");
        ObjectNode j = (ObjectNode) TinyLlamas.JSON.readTree(config.toFile());
        edit.accept(j);
        Files.writeString(config, j.toString());
    }

    private static void assertRefused(Path dir, String... parts) {
        UserError e = assertThrows(UserError.class, () -> {
            try (CausalLm lm = ModelFolder.open(dir, Device.cpu())) {
                lm.sequenceLogProbs(new int[] {1, 2, 3});
            }
        });
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().length() < 600, "too long: " + e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "should mention '" + p + "': " + e.getMessage());
    }

    @Test
    void indexThatPointsOutsideTheFolderIsRefused() throws Exception {
        Path dir = sharded("outside");
        Files.copy(dir.resolve("model-00002-of-00002.safetensors"), tmp.resolve("evil.safetensors"));
        rewriteIndex(dir, "\"model-00002-of-00002.safetensors\"", "\"../evil.safetensors\"");
        assertRefused(dir, HfWeights.INDEX, "../evil.safetensors", "file name in the same folder");
    }

    @Test
    void indexThatNamesTheWrongShardIsRefused() throws Exception {
        Path dir = sharded("wrong-shard");
        rewriteIndex(dir, "\"model.norm.weight\":\"model-00002-of-00002.safetensors\"",
                "\"model.norm.weight\":\"model-00001-of-00002.safetensors\"");
        assertRefused(dir, "'model.norm.weight'", "model-00001-of-00002.safetensors", "does not hold it");
    }

    @Test
    void missingShardOrWeightsAreNamed() throws Exception {
        Path dir = sharded("missing-shard");
        Files.delete(dir.resolve("model-00001-of-00002.safetensors"));
        assertRefused(dir, "model-00001-of-00002.safetensors", "no such file");
        Path none = sharded("no-weights");
        Files.delete(none.resolve(HfWeights.INDEX));
        assertRefused(none, "neither model.safetensors nor " + HfWeights.INDEX);
    }

    @Test
    void untiedConfigWithoutLmHeadSuggestsTying() throws Exception {
        Path dir = sharded("untied");
        rewriteConfig(dir, j -> j.put("tie_word_embeddings", false));
        assertRefused(dir, "missing 1: lm_head.weight", "\"tie_word_embeddings\": true");
    }

    @Test
    void wrongShapeAndUnknownTensorsAreListed() throws Exception {
        Path dir = sharded("shape");
        rewriteConfig(dir, j -> j.put("intermediate_size", 40));
        assertRefused(dir, "wrong shape 6", "mlp.gate_proj.weight", "[48, 32]", "config needs (40, 32)");
        Path qwen3 = sharded("as-qwen3");
        rewriteConfig(qwen3, j -> j.put("model_type", "qwen3"));
        assertRefused(qwen3, "missing 4", "q_norm.weight", "unexpected 6", "q_proj.bias");
    }

    @Test
    void nanWeightsAreRefused() throws Exception {
        LlamaConfig cfg = TinyLlamas.llama();
        Map<String, float[]> values = TinyLlamas.values(cfg, 2);
        values.get("model.layers.1.mlp.up_proj.weight")[7] = Float.NaN;
        Path dir = TinyLlamas.write(tmp.resolve("nan"), cfg, values, Safetensors.DType.BF16, 1);
        assertRefused(dir, "NaN", "model.layers.1.mlp.up_proj.weight", "damaged");
    }

    /**
     * A config that claims 40 layers of width 2048 (2.5 billion parameters, 10 GB as float32) over the weights of a
     * tiny model is refused from the sizes alone: in a child JVM with a 64 MB heap, {@code plaudit logprobs} exits 2
     * with one line instead of allocating.
     */
    @Test
    void hugeConfigOverTinyWeightsIsRefusedBeforeAllocation() throws Exception {
        Path dir = sharded("huge");
        rewriteConfig(dir, j -> {
            j.put("num_hidden_layers", 40);
            j.put("hidden_size", 2048);
            j.put("intermediate_size", 8192);
            j.put("head_dim", 512);
        });
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), "plaudit.cli.PlauditCli", "logprobs",
                "--checkpoint", dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write("[1, 2, 3]".getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertFalse(out.contains("\n"), out);
        assertTrue(out.contains("holds 26 tensors") && out.contains("use the config.json that belongs to these weights"), out);
    }
}
