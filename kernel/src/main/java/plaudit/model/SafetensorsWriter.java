package plaudit.model;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;
import plaudit.model.Safetensors.DType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import static plaudit.model.Safetensors.JSON;
import static plaudit.model.Safetensors.METADATA;

/**
 * Collects tensors and writes them as one {@link Safetensors} file, tensors sorted by name: streamed one tensor at a
 * time as F32 (or F16/BF16 to halve the size), then forced to disk.
 */
public final class SafetensorsWriter {
    private static final int CHUNK_ELEMENTS = 1 << 20;

    private record Pending(long[] shape, Supplier<TensorData> data) {
    }

    private final Map<String, Pending> tensors = new TreeMap<>();
    private final Map<String, String> metadata = new TreeMap<>();
    private DType dtype = DType.F32;

    SafetensorsWriter() {
    }

    /** Adds an NDArray of any floating type; its values are copied only while the file is written. */
    public SafetensorsWriter tensor(String name, NDArray array) {
        return put(name, array.getShape().getShape(), () -> TensorData.of(array));
    }

    public SafetensorsWriter tensor(String name, TensorData data) {
        return put(name, data.shape(), () -> data);
    }

    public SafetensorsWriter tensors(Map<String, NDArray> arrays) {
        arrays.forEach(this::tensor);
        return this;
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter metadata(Map<String, String> entries) {
        metadata.putAll(entries);
        return this;
    }

    /** Storage type for every tensor: F32 (default, exact), or F16/BF16 (rounded to nearest even). */
    public SafetensorsWriter dtype(DType type) {
        if (!type.writable()) throw new IllegalArgumentException("can write F32, F16 or BF16, not " + type);
        this.dtype = type;
        return this;
    }

    private SafetensorsWriter put(String name, long[] shape, Supplier<TensorData> data) {
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
