package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path tmp;

    /** Floats whose bits a careless conversion would change. */
    static float[] awkwardFloats() {
        return new float[] {
                0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, Float.MIN_NORMAL, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.intBitsToFloat(0x7fc12345),   // quiet NaN with a payload
                Float.intBitsToFloat(0xffc00001),   // negative quiet NaN with a payload
                Float.intBitsToFloat(0x7f800001),   // signalling NaN
                (float) Math.PI, 1f / 3,
        };
    }

    static void assertSameBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    "bits of element " + i + " (" + expected[i] + ")");
        }
    }

    @Test
    void heapRoundTripKeepsEveryBit() {
        float[] awkward = awkwardFloats();
        Random rng = new Random(7);
        float[] random = new float[3 * 5 * 7];
        for (int i = 0; i < random.length; i++) random[i] = Float.intBitsToFloat(rng.nextInt());
        Path file = tmp.resolve("t.safetensors");
        Safetensors.writer()
                .tensor("awkward", new TensorData(new long[] {awkward.length}, awkward))
                .tensor("random", new TensorData(new long[] {3, 5, 7}, random))
                .tensor("scalar", new TensorData(new long[] {}, new float[] {-0f}))
                .tensor("empty", new TensorData(new long[] {0, 4}, new float[0]))
                .metadata("format", "pt")
                .write(file);
        try (Safetensors.Reader r = Safetensors.open(file)) {
            assertEquals(Map.of("format", "pt"), r.metadata());
            assertSameBits(awkward, r.read("awkward").values());
            assertSameBits(random, r.read("random").values());
            assertArrayEquals(new long[] {3, 5, 7}, r.read("random").shape());
            assertSameBits(new float[] {-0f}, r.read("scalar").values());
            assertArrayEquals(new long[] {}, r.read("scalar").shape());
            assertArrayEquals(new long[] {0, 4}, r.read("empty").shape());
            assertEquals(Safetensors.DType.F32, r.entry("random").dtype());
        }
    }

    @Test
    void ndArrayRoundTripKeepsEveryBit() {
        float[] awkward = awkwardFloats();
        Path file = tmp.resolve("nd.safetensors");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray a = m.create(awkward, new Shape(awkward.length));
            NDArray b = m.arange(24f).reshape(2, 3, 4).div(7);
            Safetensors.writer().tensors(Map.of("a", a, "b", b)).write(file);
            Map<String, NDArray> back = Safetensors.read(file, m);
            assertEquals(DataType.FLOAT32, back.get("a").getDataType());
            assertSameBits(awkward, back.get("a").toFloatArray());
            assertEquals(new Shape(2, 3, 4), back.get("b").getShape());
            assertSameBits(b.toFloatArray(), back.get("b").toFloatArray());
        }
    }

    @Test
    void headerIsPaddedSoDataStaysAligned() throws IOException {
        Path file = tmp.resolve("p.safetensors");
        Safetensors.writer().tensor("x", new TensorData(new long[] {3}, new float[] {1, 2, 3})).write(file);
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        assertEquals(8 + headerLength + 12, bytes.length);
    }

    @Test
    void halfPrecisionRoundTripsEveryF16Value() {
        for (int h = 0; h < 1 << 16; h++) {
            float f = HalfPrecision.f16ToFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(f))), "NaN " + h);
            } else {
                assertEquals(h, HalfPrecision.floatToF16(f) & 0xffff, "half bits " + Integer.toHexString(h));
            }
        }
    }

    @Test
    void narrowingRoundsToNearestEven() {
        // 1 + 2^-11 lies halfway between F16 1.0 and 1 + 2^-10: ties go to the even mantissa (1.0)
        assertEquals(1f, HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(1f + 0x1p-11f)));
        assertEquals(1f + 0x1p-9f, HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(1f + 3 * 0x1p-11f)));
        assertEquals(1f + 0x1p-10f, HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(1f + 0x1p-11f + 0x1p-20f)));
        assertEquals(Float.POSITIVE_INFINITY, HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(65520f)));
        assertEquals(65504f, HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(65519f)));
        assertEquals(0x1p-24f, HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(0x1.8p-25f)));    // subnormal rounds up
        assertEquals(0f, HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(0x1p-25f)));           // tie goes to zero
        assertEquals(-0f, HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(-1e-30f)));
        // bfloat16 keeps float32's exponent: 1 + 2^-8 is the tie between 1 and 1 + 2^-7
        assertEquals(1f, HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(1f + 0x1p-8f)));
        assertEquals(1f + 0x1p-6f, HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(1f + 3 * 0x1p-8f)));
        assertEquals(1e30f, HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(1e30f)), 1e28f);
        assertTrue(Float.isNaN(HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(Float.intBitsToFloat(0x7f800001)))));
    }

    @Test
    void writesAndReadsF16AndBf16() {
        float[] exact = {0f, -0f, 1f, -2.5f, 0.15625f, 65504f, Float.POSITIVE_INFINITY};
        for (Safetensors.DType type : new Safetensors.DType[] {Safetensors.DType.F16, Safetensors.DType.BF16}) {
            Path file = tmp.resolve(type + ".safetensors");
            float[] values = type == Safetensors.DType.F16 ? exact : Arrays.copyOf(exact, exact.length - 2);
            Safetensors.writer().dtype(type).tensor("x", new TensorData(new long[] {values.length}, values)).write(file);
            try (Safetensors.Reader r = Safetensors.open(file)) {
                assertEquals(type, r.entry("x").dtype());
                assertEquals(values.length * 2L, r.entry("x").byteLength());
                assertSameBits(values, r.read("x").values());
            }
        }
    }

    @Test
    void readsF64AsFloat32() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-1e300);
        Path file = raw("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", data.array());
        try (Safetensors.Reader r = Safetensors.open(file)) {
            assertSameBits(new float[] {0.1f, Float.NEGATIVE_INFINITY}, r.read("x").values());
        }
    }

    // ------------------------------------------------------------ bad input

    /** Writes a file from a header text and data bytes, exactly as given. */
    private Path raw(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).put(data);
        Path file = Files.createTempFile(tmp, "bad", ".safetensors");
        Files.write(file, buf.array());
        return file;
    }

    private static String message(Path file) {
        return assertThrows(UserError.class, () -> Safetensors.open(file).close()).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "message should mention '" + p + "': " + message);
    }

    @Test
    void truncatedFileNamesTheTensor() throws IOException {
        Path good = tmp.resolve("good.safetensors");
        Safetensors.writer()
                .tensor("a.first", new TensorData(new long[] {4}, new float[4]))
                .tensor("z.last", new TensorData(new long[] {2, 2}, new float[4]))
                .write(good);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 3));
        assertMentions(message(cut), cut.toString(), "'z.last'", "truncated");
        Files.write(cut, Arrays.copyOf(bytes, 5));
        assertMentions(message(cut), cut.toString(), "too short");
    }

    @Test
    void headerLengthBeyondTheFileIsRejected() throws IOException {
        Path file = tmp.resolve("long.safetensors");
        Files.write(file, ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertMentions(message(file), file.toString(), "1000-byte header", "truncated");
        Files.write(file, ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
        assertMentions(message(file), "18446744073709551615-byte header");
    }

    @Test
    void badJsonIsRejected() throws IOException {
        assertMentions(message(raw("{\"x\": {", new byte[0])), "not valid JSON");
        assertMentions(message(raw("[1, 2]", new byte[0])), "JSON object");
        assertMentions(message(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8])), "Duplicate field 'x'");
        assertMentions(message(raw("{\"__metadata__\":{\"n\":3}}", new byte[0])), "__metadata__", "'n'", "string");
    }

    @Test
    void shapeThatDisagreesWithTheByteLengthNamesTheTensor() throws IOException {
        String message = message(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));
        assertMentions(message, "'w'", "[3]", "needs 12 bytes", "span 8");
    }

    @Test
    void overlappingAndUnclaimedBytesAreRejected() throws IOException {
        assertMentions(message(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12])), "'a'", "'b'", "overlap");
        assertMentions(message(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8])),
                "bytes 0..4", "before 'a'");
        assertMentions(message(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8])),
                "bytes 4..8", "trailing");
        assertMentions(message(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", new byte[8])),
                "'a'", "end before they begin");
    }

    @Test
    void unknownDtypeIsRejectedAndIntegerTensorsAreNotReadAsFloats() throws IOException {
        assertMentions(message(raw("{\"q\":{\"dtype\":\"F12\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4])),
                "'q'", "unknown dtype 'F12'");
        Path ints = raw("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        try (Safetensors.Reader r = Safetensors.open(ints)) {
            assertMentions(assertThrows(UserError.class, () -> r.read("ids")).getMessage(), "'ids'", "I64");
            assertMentions(assertThrows(UserError.class, () -> r.read("idz")).getMessage(), "no tensor 'idz'", "ids");
        }
    }

    @Test
    void missingFileIsAUserError() {
        assertMentions(message(tmp.resolve("nope.safetensors")), "nope.safetensors", "no such file");
    }
}
