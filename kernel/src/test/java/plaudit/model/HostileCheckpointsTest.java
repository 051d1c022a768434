package plaudit.model;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints and safetensors files built to hurt (issue 27: huge sizes, shapes that disagree with the weights, NaN
 * weights, damaged headers): each is refused with one short line naming the file and what is wrong, before anything
 * the size of the claim is allocated.
 */
@Tag("adversarial")
class HostileCheckpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    /** The HF fixture (n_layer 1, n_embd 8, vocab 11) copied to {@code tmp/name}, its config.json edited. */
    private Path fixture(String name, Consumer<ObjectNode> editConfig) throws IOException, URISyntaxException {
        Path source = Path.of(getClass().getResource("/model/hf-tiny-gpt2/config.json").toURI()).getParent();
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String f : List.of("config.json", "model.safetensors", "vocab.json", "merges.txt")) {
            Files.copy(source.resolve(f), dir.resolve(f));
        }
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        editConfig.accept(config);
        Files.writeString(dir.resolve("config.json"), config.toString());
        return dir;
    }

    private static String refusal(Path dir) {
        String message = assertThrows(UserError.class, () -> Checkpoint.read(dir)).getMessage();
        assertOneShortLine(message);
        return message;
    }

    private static void assertOneShortLine(String message) {
        assertFalse(message.contains("\n") || message.contains("\r"), message);
        assertTrue(message.length() < 400, () -> message.length() + " chars: " + message.substring(0, 400));
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "message should mention '" + p + "': " + message);
    }

    // ------------------------------------------------------------ sizes (item 2)

    /**
     * {@code n_layer = 100000} with the fixture's one-layer weights: before, the 1.2 million missing tensors were
     * listed (a 43 MB message, hundreds of MB of names). Now the config is compared with the file's tensor count and
     * size first. Run in a child JVM with a 64 MB heap to show nothing of the claimed size is allocated.
     */
    @Test
    void hugeNLayerInConfigIsOneShortLineInA64MbHeap() throws Exception {
        Path dir = fixture("huge", c -> c.put("n_layer", 100_000));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), ReadCheckpoint.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertOneShortLine(out);
        assertTrue(out.length() < 300, out);
        assertMentions(out, dir.resolve("model.safetensors").toString(), "n_layer=100000", "1200004 tensors");
    }

    /** What the child JVM of {@link #hugeNLayerInConfigIsOneShortLineInA64MbHeap} runs: exit 2 with the error alone. */
    public static final class ReadCheckpoint {
        public static void main(String[] args) {
            try {
                Checkpoint.read(Path.of(args[0]));
                System.out.println("read");
            } catch (UserError e) {
                System.out.println(e.getMessage());
                System.exit(2);
            }
        }
    }

    @Test
    void sizesNoTensorCanHoldAreRefusedNamingTheKey() throws Exception {
        assertMentions(refusal(fixture("wide", c -> c.put("n_embd", 1 << 24).put("n_head", 1))),
                "n_embd", "more than one tensor can");
        assertMentions(refusal(fixture("vocab", c -> c.put("vocab_size", 400_000_000))), "vocab_size", "more than one tensor can");
        assertMentions(refusal(fixture("deep", c -> c.put("n_layer", 2_000_000_000))), "n_layer=2000000000", "parameters");
        assertMentions(refusal(fixture("long", c -> c.put("n_layer", 99_999_999_999L))), "'n_layer' must be an integer");
        String digits = "9".repeat(900);
        assertMentions(refusal(fixture("digits", c -> c.set("n_layer", JSON.getNodeFactory().numberNode(
                new BigInteger(digits))))), "'n_layer' must be an integer", "(900 chars)");
        assertMentions(refusal(fixture("heads", c -> c.put("n_head", 3))), "n_embd", "multiple of n_head");
        assertMentions(refusal(fixture("zero", c -> c.put("n_positions", 0))), "block_size", "positive");
    }

    /** A config.json of megabytes is not read into memory (before: read whole, so a 1 GB one was an OutOfMemoryError). */
    @Test
    void aConfigOfMegabytesIsNotRead() throws Exception {
        Path dir = fixture("big-config", c -> { });
        Files.writeString(dir.resolve("config.json"), " ".repeat(5_000_000), StandardOpenOption.APPEND);
        assertMentions(refusal(dir), "config.json: is 5000", "bytes; a GPT2Config is a few KB");
    }

    /** A config that fits the file's size but not its shapes names the tensor and both shapes. */
    @Test
    void shapesThatDisagreeWithTheWeightsNameTheTensor() throws Exception {
        assertMentions(refusal(fixture("positions", c -> c.put("n_positions", 5))),
                "model.safetensors", "wpe.weight is [6, 8], config needs [5, 8]");
    }

    /** A weights file with thousands of stray tensors: the error lists a few and counts the rest (before: all). */
    @Test
    void manyStrayTensorsGiveABoundedMessage() throws Exception {
        Path dir = fixture("stray", c -> { });
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        try (Safetensors.Reader r = Safetensors.open(dir.resolve("model.safetensors"))) {
            for (String name : r.names()) tensors.put(name, r.read(name));
        }
        for (int i = 0; i < 5000; i++) tensors.put("stray.tensor.number." + i, new TensorData(new long[] {1}, new float[1]));
        SafetensorsWriter w = Safetensors.writer();
        tensors.forEach(w::tensor);
        w.write(dir.resolve("model.safetensors"));
        assertMentions(refusal(dir), "unexpected 5000", "… 4997 more");
    }

    // ------------------------------------------------------------ non-finite weights (item 10)

    @Test
    void nanOrInfinityInTheWeightsIsRefusedNamingFileAndTensor() throws Exception {
        for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
            Path dir = fixture("nan" + (Float.isNaN(bad) ? "" : "-inf"), c -> { });
            Path weights = dir.resolve("model.safetensors");
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            try (Safetensors.Reader r = Safetensors.open(weights)) {
                for (String name : r.names()) tensors.put(name, r.read(name));
            }
            String victim = tensors.keySet().stream().filter(n -> n.endsWith("attn.c_attn.weight")).findFirst().orElseThrow();
            tensors.get(victim).values()[17] = bad;
            SafetensorsWriter w = Safetensors.writer();
            tensors.forEach(w::tensor);
            w.write(weights);

            Checkpoint ckpt = Checkpoint.read(dir); // the header is sound; the values are checked when loaded
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                String message = assertThrows(UserError.class, () -> ckpt.parameters(m)).getMessage();
                assertOneShortLine(message);
                assertEquals(weights + ": holds " + (Float.isNaN(bad) ? "NaN" : "Infinity") + " in tensor " + victim
                        + " (value 17); the checkpoint is damaged: retrain, or resume from an earlier one", message);
            }
        }
    }

    // ------------------------------------------------------------ damaged safetensors headers (item 5)

    /** Writes {@code 8-byte length | header | data} with the length as given (it may lie). */
    private Path raw(long declaredLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(declaredLength).put(header).put(data);
        Path file = Files.createTempFile(tmp, "hostile", ".safetensors");
        Files.write(file, buf.array());
        return file;
    }

    private Path raw(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return raw(h.length, h, data);
    }

    private static String opening(Path file) {
        String message = assertThrows(UserError.class, () -> Safetensors.open(file).close()).getMessage();
        assertOneShortLine(message);
        assertTrue(message.startsWith(file.toString()), message);
        return message;
    }

    @Test
    void headerLengthsThatLieAreRefused() throws IOException {
        byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
        assertMentions(opening(raw(Long.MAX_VALUE, h, new byte[0])), "9223372036854775807-byte header");
        assertMentions(opening(raw(200_000_000L, h, new byte[0])), "200000000-byte header", "limit 100000000");
        assertMentions(opening(raw(0, h, new byte[0])), "0-byte header");
    }

    @Test
    void headersThatAreNotJsonOrNotUtf8AreRefused() throws IOException {
        assertMentions(opening(raw(4, new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b, 0x7d}, new byte[0])), "not valid UTF-8");
        assertMentions(opening(raw("PK\u0003\u0004 a zip file", new byte[0])), "not valid JSON");
        assertMentions(opening(raw("[".repeat(5000) + "]".repeat(5000), new byte[0])), "not valid JSON");
        assertMentions(opening(raw("\"a string\"", new byte[0])), "JSON object");
    }

    @Test
    void entriesThatLieAreRefusedNamingTheTensor() throws IOException {
        byte[] eight = new byte[8];
        assertMentions(opening(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,800]}}", eight)),
                "'w'", "ends at byte 800", "only 8 data bytes");
        assertMentions(opening(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", eight)),
                "'w'", "non-negative");
        assertMentions(opening(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}",
                eight)), "'w'", "too large to address");
        assertMentions(opening(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551616]}}",
                eight)), "'w'", "non-negative integer");
        assertMentions(opening(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", eight)),
                "'w'", "'shape'");
        assertMentions(opening(raw("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight)),
                "'w'", "unknown dtype 'Q4'");
        assertMentions(opening(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight)), "overlap");
    }

    /** Values echoed from a hostile header are clipped and escaped: no megabyte names, no line breaks (before: both). */
    @Test
    void echoedValuesAreClippedAndEscaped() throws IOException {
        String longName = "n".repeat(40_000); // Jackson refuses names over 50,000 characters itself
        assertMentions(opening(raw("{\"" + longName + "\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                new byte[8])), "(40000 chars)", "needs 12 bytes");
        assertMentions(opening(raw("{\"line\\nbreak\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                new byte[8])), "line\\nbreak");
        List<String> ones = new ArrayList<>(Collections.nCopies(100_000, "1"));
        ones.add("3");
        assertMentions(opening(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":" + ones + ",\"data_offsets\":[0,8]}}",
                new byte[8])), "'w'", "needs 12 bytes", "chars)");
        assertMentions(opening(raw("{\"w\":{\"dtype\":\"" + "F".repeat(100_000) + "\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                new byte[8])), "unknown dtype", "(100000 chars)");
    }
}
