package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The safetensors file format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * {@code {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}}, then the raw
 * little-endian tensor bytes, offsets relative to the end of the header.
 *
 * <p>Reading maps each tensor's bytes from the file on demand, so a multi-gigabyte file is never read whole. The
 * header is checked completely when a file is opened: every tensor's dtype, shape and byte range, no overlaps and no
 * unclaimed bytes (the same rules as the reference implementation), so a damaged file fails with one clear
 * {@link UserError} before any tensor is used. Floating tensors (F32, F16, BF16, F64) are read as float32.
 *
 * <p>Writing streams one tensor at a time as F32 (or F16/BF16 to halve the size) and forces the file to disk.
 */
public final class Safetensors {
    /** The reference implementation refuses headers above 100 MB; a larger length means a damaged or foreign file. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA = "__metadata__";
    private static final int CHUNK_ELEMENTS = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Safetensors() {
    }

    /** Element types of the safetensors format, with their size in bytes. Only the floating ones can be read. */
    public enum DType {
        BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2),
        I32(4), U32(4), F32(4), I64(8), U64(8), F64(8);

        public final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        boolean readable() {
            return this == F32 || this == F16 || this == BF16 || this == F64;
        }

        boolean writable() {
            return this == F32 || this == F16 || this == BF16;
        }

        static DType parse(String s) {
            for (DType t : values()) if (t.name().equals(s)) return t;
            return null;
        }
    }

    /** One tensor as declared in a file's header; {@code begin}/{@code end} are offsets into the data section. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long byteLength() {
            return end - begin;
        }
    }

    /** Opens a file and validates its header; tensors are read on demand. Close it to release the file. */
    public static Reader open(Path file) {
        return new Reader(file);
    }

    /** Reads every tensor of a file into float32 NDArrays owned by {@code manager} (on the manager's device). */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        try (Reader reader = open(file)) {
            return reader.readAll(manager);
        }
    }

    /** Starts a file; add tensors, then {@link Writer#write(Path)}. */
    public static Writer writer() {
        return new Writer();
    }

    /** An open safetensors file with a validated header. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final Map<String, Entry> entries;
        private final Map<String, String> metadata;

        private Reader(Path file) {
            this.file = file;
            try {
                this.channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new UserError(file + ": no such file");
            } catch (IOException e) {
                throw new UserError(file + ": cannot open (" + e.getMessage() + ")", e);
            }
            try {
                long size = channel.size();
                if (size < 8) {
                    throw fail("is " + size + " bytes, too short for the 8-byte header length; the file is truncated"
                            + " or not safetensors");
                }
                long headerLength = readFully(0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                    throw fail("declares a " + Long.toUnsignedString(headerLength) + "-byte header but the file has "
                            + (size - 8) + " bytes after the length field (limit " + MAX_HEADER_BYTES + "); the file"
                            + " is truncated or not safetensors");
                }
                this.dataStart = 8 + headerLength;
                JsonNode header = parseHeader(readFully(8, (int) headerLength));
                this.metadata = parseMetadata(header);
                this.entries = parseEntries(header, size - dataStart);
            } catch (IOException e) {
                closeQuietly();
                throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
            } catch (RuntimeException e) {
                closeQuietly();
                throw e;
            }
        }

        public Path file() {
            return file;
        }

        /** The free-form string map under {@code __metadata__} (empty when the file has none). */
        public Map<String, String> metadata() {
            return metadata;
        }

        /** Tensor names in header order. */
        public Set<String> names() {
            return entries.keySet();
        }

        public boolean has(String name) {
            return entries.containsKey(name);
        }

        public Entry entry(String name) {
            Entry e = entries.get(name);
            if (e == null) {
                throw new UserError(file + ": has no tensor '" + name + "' (it has " + entries.size() + ": "
                        + abbreviate(entries.keySet()) + ")");
            }
            return e;
        }

        /** Reads one tensor to the heap as float32. */
        public TensorData read(String name) {
            Entry e = entry(name);
            if (!e.dtype().readable()) {
                throw new UserError(file + ": tensor '" + name + "' has dtype " + e.dtype() + "; Plaudit reads only"
                        + " floating tensors (F32, F16, BF16, F64). Save this tensor as float32");
            }
            long count = TensorData.elementCount(e.shape());
            if (count > Integer.MAX_VALUE - 8) {
                throw new UserError(file + ": tensor '" + name + "' has " + count + " elements, more than a Java"
                        + " array holds (2^31); split it into smaller tensors");
            }
            float[] values = new float[(int) count];
            try {
                MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.byteLength());
                bytes.order(ByteOrder.LITTLE_ENDIAN);
                switch (e.dtype()) {
                    case F32 -> bytes.asFloatBuffer().get(values);
                    case F64 -> {
                        var doubles = bytes.asDoubleBuffer();
                        for (int i = 0; i < values.length; i++) values[i] = (float) doubles.get(i);
                    }
                    case F16 -> {
                        var shorts = bytes.asShortBuffer();
                        for (int i = 0; i < values.length; i++) values[i] = HalfPrecision.f16ToFloat(shorts.get(i));
                    }
                    case BF16 -> {
                        var shorts = bytes.asShortBuffer();
                        for (int i = 0; i < values.length; i++) values[i] = HalfPrecision.bf16ToFloat(shorts.get(i));
                    }
                    default -> throw new AssertionError(e.dtype());
                }
            } catch (IOException ex) {
                throw new UserError(file + ": cannot read tensor '" + name + "' (" + ex.getMessage() + ")", ex);
            }
            return new TensorData(e.shape(), values);
        }

        /** Reads one tensor into a float32 NDArray owned by {@code manager}, on its device (a GPU manager puts it there). */
        public NDArray read(String name, NDManager manager) {
            return read(name).toNDArray(manager);
        }

        /** Reads every tensor, in header order. */
        public Map<String, NDArray> readAll(NDManager manager) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (String name : entries.keySet()) out.put(name, read(name, manager));
            return out;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void closeQuietly() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing with a more useful error
            }
        }

        private ByteBuffer readFully(long position, int length) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(length);
            while (buf.hasRemaining()) {
                if (channel.read(buf, position + buf.position()) < 0) throw new IOException("unexpected end of file");
            }
            return buf.flip();
        }

        private UserError fail(String problem) {
            return new UserError(file + ": " + problem);
        }

        private JsonNode parseHeader(ByteBuffer bytes) {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(bytes).toString();
            } catch (CharacterCodingException e) {
                throw fail("header is not valid UTF-8; the file is damaged or not safetensors");
            }
            JsonNode header;
            try {
                header = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw fail("header is not valid JSON (" + e.getOriginalMessage() + "); the file is damaged or not"
                        + " safetensors");
            }
            if (header == null || !header.isObject()) {
                throw fail("header must be a JSON object of tensors; the file is damaged or not safetensors");
            }
            return header;
        }

        private Map<String, String> parseMetadata(JsonNode header) {
            JsonNode m = header.get(METADATA);
            if (m == null) return Map.of();
            if (!m.isObject()) throw fail(METADATA + " must be a JSON object of strings");
            Map<String, String> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getValue().isTextual()) {
                    throw fail(METADATA + " value of '" + f.getKey() + "' must be a string, got " + f.getValue());
                }
                out.put(f.getKey(), f.getValue().textValue());
            }
            return Collections.unmodifiableMap(out);
        }

        private Map<String, Entry> parseEntries(JsonNode header, long dataLength) {
            Map<String, Entry> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getKey().equals(METADATA)) out.put(f.getKey(), parseEntry(f.getKey(), f.getValue(), dataLength));
            }
            checkLayout(out.values(), dataLength);
            return Collections.unmodifiableMap(out);
        }

        private Entry parseEntry(String name, JsonNode node, long dataLength) {
            String where = "tensor '" + name + "'";
            if (!node.isObject()) throw fail(where + " must be a JSON object with dtype, shape and data_offsets");
            JsonNode dtypeNode = node.get("dtype");
            if (dtypeNode == null || !dtypeNode.isTextual()) throw fail(where + " has no dtype string");
            DType dtype = DType.parse(dtypeNode.textValue());
            if (dtype == null) {
                throw fail(where + " has unknown dtype '" + dtypeNode.textValue() + "'; expected one of "
                        + Arrays.toString(DType.values()));
            }
            long[] shape = nonNegativeLongs(node.get("shape"), where, "shape", -1);
            long[] offsets = nonNegativeLongs(node.get("data_offsets"), where, "data_offsets", 2);
            long begin = offsets[0];
            long end = offsets[1];
            if (begin > end) throw fail(where + " has data_offsets [" + begin + ", " + end + "] that end before they begin");
            if (end > dataLength) {
                throw fail(where + " ends at byte " + end + " of the data section but the file holds only " + dataLength
                        + " data bytes; the file is truncated");
            }
            long expectedBytes;
            try {
                expectedBytes = Math.multiplyExact(TensorData.elementCount(shape), (long) dtype.bytes);
            } catch (ArithmeticException e) {
                throw fail(where + " has shape " + Arrays.toString(shape) + " too large to address");
            }
            if (expectedBytes != end - begin) {
                throw fail(where + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expectedBytes
                        + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                        + "; the header is inconsistent");
            }
            return new Entry(name, dtype, shape, begin, end);
        }

        private long[] nonNegativeLongs(JsonNode node, String where, String field, int requiredLength) {
            if (node == null || !node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
                throw fail(where + " needs '" + field + "' as an array of "
                        + (requiredLength >= 0 ? requiredLength + " " : "") + "non-negative integers, got " + node);
            }
            long[] out = new long[node.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode v = node.get(i);
                if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                    throw fail(where + " has '" + field + "' element " + v + "; expected a non-negative integer");
                }
                out[i] = v.longValue();
            }
            return out;
        }

        /** Tensors must tile the data section exactly: no overlaps (aliasing) and no unclaimed bytes (polyglots). */
        private void checkLayout(Iterable<Entry> all, long dataLength) {
            List<Entry> sorted = new ArrayList<>();
            all.forEach(sorted::add);
            sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long covered = 0;
            Entry previous = null;
            for (Entry e : sorted) {
                if (e.begin() < covered) {
                    throw fail("tensors '" + previous.name() + "' and '" + e.name() + "' overlap (bytes " + e.begin()
                            + ".." + covered + "); the header is damaged");
                }
                if (e.begin() > covered) {
                    throw fail("data bytes " + covered + ".." + e.begin() + " belong to no tensor (before '" + e.name()
                            + "'); the header is damaged");
                }
                covered = e.end();
                previous = e;
            }
            if (covered != dataLength) {
                throw fail("data bytes " + covered + ".." + dataLength + " after the last tensor belong to no tensor;"
                        + " the file has trailing garbage or a damaged header");
            }
        }
    }

    /** Collects tensors and writes them as one safetensors file, tensors sorted by name. */
    public static final class Writer {
        private record Pending(long[] shape, Supplier<TensorData> data) {
        }

        private final Map<String, Pending> tensors = new TreeMap<>();
        private final Map<String, String> metadata = new TreeMap<>();
        private DType dtype = DType.F32;

        private Writer() {
        }

        /** Adds an NDArray of any floating type; its values are copied only while the file is written. */
        public Writer tensor(String name, NDArray array) {
            return put(name, array.getShape().getShape(), () -> TensorData.of(array));
        }

        public Writer tensor(String name, TensorData data) {
            return put(name, data.shape(), () -> data);
        }

        public Writer tensors(Map<String, NDArray> arrays) {
            arrays.forEach(this::tensor);
            return this;
        }

        public Writer metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public Writer metadata(Map<String, String> entries) {
            metadata.putAll(entries);
            return this;
        }

        /** Storage type for every tensor: F32 (default, exact), or F16/BF16 (rounded to nearest even). */
        public Writer dtype(DType type) {
            if (!type.writable()) throw new IllegalArgumentException("can write F32, F16 or BF16, not " + type);
            this.dtype = type;
            return this;
        }

        private Writer put(String name, long[] shape, Supplier<TensorData> data) {
            if (name.equals(METADATA) || name.isEmpty()) throw new IllegalArgumentException("bad tensor name '" + name + "'");
            if (tensors.putIfAbsent(name, new Pending(shape, data)) != null) {
                throw new IllegalArgumentException("tensor '" + name + "' added twice");
            }
            return this;
        }

        /** Writes the file (replacing any file there) and forces it to the storage device. */
        public void write(Path file) {
            byte[] header = header();
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(out, length);
                writeFully(out, ByteBuffer.wrap(header));
                for (Map.Entry<String, Pending> t : tensors.entrySet()) {
                    TensorData data = t.getValue().data().get();
                    if (!Arrays.equals(data.shape(), t.getValue().shape())) {
                        throw new IllegalStateException("tensor '" + t.getKey() + "' changed shape while being written");
                    }
                    writeValues(out, data.values());
                }
                out.force(true);
            } catch (IOException e) {
                throw new UserError("cannot write " + file + " (" + e + "); check free disk space and permissions", e);
            }
        }

        /** JSON header, padded with spaces to a multiple of 8 bytes so the data section stays aligned. */
        private byte[] header() {
            ObjectNode root = JSON.createObjectNode();
            if (!metadata.isEmpty()) {
                ObjectNode m = root.putObject(METADATA);
                metadata.forEach(m::put);
            }
            long offset = 0;
            for (Map.Entry<String, Pending> t : tensors.entrySet()) {
                long[] shape = t.getValue().shape();
                long end = offset + TensorData.elementCount(shape) * dtype.bytes;
                ObjectNode e = root.putObject(t.getKey());
                e.put("dtype", dtype.name());
                var s = e.putArray("shape");
                for (long d : shape) s.add(d);
                e.putArray("data_offsets").add(offset).add(end);
                offset = end;
            }
            byte[] json;
            try {
                json = JSON.writeValueAsBytes(root);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            int padded = (json.length + 7) / 8 * 8;
            byte[] out = Arrays.copyOf(json, padded);
            Arrays.fill(out, json.length, padded, (byte) ' ');
            return out;
        }

        private void writeValues(FileChannel out, float[] values) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(Math.min(values.length, CHUNK_ELEMENTS) * dtype.bytes)
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int start = 0; start < values.length; start += CHUNK_ELEMENTS) {
                int end = Math.min(values.length, start + CHUNK_ELEMENTS);
                buf.clear();
                switch (dtype) {
                    case F32 -> buf.asFloatBuffer().put(values, start, end - start);
                    case F16 -> {
                        for (int i = start; i < end; i++) buf.putShort(HalfPrecision.floatToF16(values[i]));
                    }
                    case BF16 -> {
                        for (int i = start; i < end; i++) buf.putShort(HalfPrecision.floatToBf16(values[i]));
                    }
                    default -> throw new AssertionError(dtype);
                }
                buf.position(0).limit((end - start) * dtype.bytes);
                writeFully(out, buf);
            }
        }

        private static void writeFully(FileChannel out, ByteBuffer buf) throws IOException {
            while (buf.hasRemaining()) out.write(buf);
        }
    }

    static String abbreviate(Iterable<String> names) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        int total = 0;
        for (String n : names) {
            total++;
            if (shown < 8) {
                sb.append(shown == 0 ? "" : ", ").append(n);
                shown++;
            }
        }
        if (total > shown) sb.append(String.format(Locale.ROOT, ", … %d more", total - shown));
        return sb.toString();
    }
}
