package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import plaudit.Echo;
import plaudit.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors file format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * {@code {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}}, then the raw
 * little-endian tensor bytes, offsets relative to the end of the header.
 *
 * <p>Reading maps each tensor's bytes from the file on demand, so a multi-gigabyte file is never read whole. The
 * header is checked completely when a file is opened ({@link SafetensorsHeader}), so a damaged file fails with one
 * clear {@link UserError} before any tensor is used. Floating tensors (F32, F16, BF16, F64) are read as float32.
 *
 * <p>Writing: {@link SafetensorsWriter}.
 */
public final class Safetensors {
    /** The reference implementation refuses headers above 100 MB; a larger length means a damaged or foreign file. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA = "__metadata__";
    static final ObjectMapper JSON = new ObjectMapper()
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

    /** Starts a file; add tensors, then {@link SafetensorsWriter#write(Path)}. */
    public static SafetensorsWriter writer() {
        return new SafetensorsWriter();
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
                SafetensorsHeader header = SafetensorsHeader.read(file, channel);
                this.dataStart = header.dataStart();
                this.metadata = header.metadata();
                this.entries = header.entries();
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
                throw new UserError(file + ": has no tensor '" + Echo.of(name) + "' (it has " + entries.size() + ": "
                        + abbreviate(entries.keySet()) + ")");
            }
            return e;
        }

        /** Reads one tensor to the heap as float32. */
        public TensorData read(String name) {
            Entry e = entry(name);
            if (!e.dtype().readable()) {
                throw new UserError(file + ": tensor '" + Echo.of(name) + "' has dtype " + e.dtype() + "; Plaudit reads only"
                        + " floating tensors (F32, F16, BF16, F64). Save this tensor as float32");
            }
            long count = TensorData.elementCount(e.shape());
            if (count > Integer.MAX_VALUE - 8) {
                throw new UserError(file + ": tensor '" + Echo.of(name) + "' has " + count + " elements, more than a Java"
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
                throw new UserError(file + ": cannot read tensor '" + Echo.of(name) + "' (" + ex.getMessage() + ")", ex);
            }
            return new TensorData(e.shape(), values);
        }

        /**
         * {@link #read(String)}, refusing a tensor that holds NaN or infinity, as weights that trained into them do:
         * they sample garbage and train no further.
         */
        public TensorData readFinite(String name) {
            TensorData t = read(name);
            int i = t.firstNonFinite();
            if (i >= 0) {
                throw new UserError(file + ": holds " + (Float.isNaN(t.values()[i]) ? "NaN" : "Infinity") + " in tensor "
                        + Echo.of(name) + " (value " + i + "); the checkpoint is damaged: retrain, or resume from an earlier one");
            }
            return t;
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

    }

    /** The first few of {@code items} (each echoed through {@link Echo}) and how many more, so an error stays one short line. */
    static String abbreviate(Iterable<?> items) {
        return abbreviate(items, 8);
    }

    static String abbreviate(Iterable<?> items, int show) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        int total = 0;
        for (Object n : items) {
            total++;
            if (shown < show) {
                sb.append(shown == 0 ? "" : ", ").append(Echo.of(n));
                shown++;
            }
        }
        if (total > shown) sb.append(String.format(Locale.ROOT, ", … %d more", total - shown));
        return sb.toString();
    }

}
