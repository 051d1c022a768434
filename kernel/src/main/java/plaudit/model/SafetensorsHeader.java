package plaudit.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import plaudit.Echo;
import plaudit.UserError;
import plaudit.model.Safetensors.DType;
import plaudit.model.Safetensors.Entry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static plaudit.model.Safetensors.JSON;
import static plaudit.model.Safetensors.MAX_HEADER_BYTES;
import static plaudit.model.Safetensors.METADATA;

/**
 * The header of a safetensors file, read and checked completely: the length field, the JSON, every tensor's dtype,
 * shape and byte range, no overlaps and no unclaimed bytes (the same rules as the reference implementation), so a
 * damaged file fails with one clear {@link UserError} before any tensor is used.
 *
 * @param dataStart file position of the data section, which the entries' offsets are relative to
 */
record SafetensorsHeader(long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {

    /** Reads and validates the header of {@code file}, open as {@code channel}. */
    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        return new Parser(file, channel).parse();
    }

    private static final class Parser {
        private final Path file;
        private final FileChannel channel;

        private Parser(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }

        SafetensorsHeader parse() throws IOException {
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
            long dataStart = 8 + headerLength;
            JsonNode header = parseHeader(readFully(8, (int) headerLength));
            Map<String, String> metadata = parseMetadata(header);
            return new SafetensorsHeader(dataStart, parseEntries(header, size - dataStart), metadata);
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
                throw fail("header is not valid JSON (" + Echo.of(e.getOriginalMessage()) + "); the file is damaged or not"
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
                    throw fail(METADATA + " value of '" + Echo.of(f.getKey()) + "' must be a string, got " + Echo.of(f.getValue()));
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
            String where = "tensor '" + Echo.of(name) + "'";
            if (!node.isObject()) throw fail(where + " must be a JSON object with dtype, shape and data_offsets");
            JsonNode dtypeNode = node.get("dtype");
            if (dtypeNode == null || !dtypeNode.isTextual()) throw fail(where + " has no dtype string");
            DType dtype = DType.parse(dtypeNode.textValue());
            if (dtype == null) {
                throw fail(where + " has unknown dtype '" + Echo.of(dtypeNode.textValue()) + "'; expected one of "
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
                throw fail(where + " has shape " + Echo.of(Arrays.toString(shape)) + " too large to address");
            }
            if (expectedBytes != end - begin) {
                throw fail(where + ": shape " + Echo.of(Arrays.toString(shape)) + " of " + dtype + " needs " + expectedBytes
                        + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                        + "; the header is inconsistent");
            }
            return new Entry(name, dtype, shape, begin, end);
        }

        private long[] nonNegativeLongs(JsonNode node, String where, String field, int requiredLength) {
            if (node == null || !node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
                throw fail(where + " needs '" + field + "' as an array of "
                        + (requiredLength >= 0 ? requiredLength + " " : "") + "non-negative integers, got " + Echo.of(node));
            }
            long[] out = new long[node.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode v = node.get(i);
                if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                    throw fail(where + " has '" + field + "' element " + Echo.of(v) + "; expected a non-negative integer");
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
                    throw fail("tensors '" + Echo.of(previous.name()) + "' and '" + Echo.of(e.name()) + "' overlap (bytes " + e.begin()
                            + ".." + covered + "); the header is damaged");
                }
                if (e.begin() > covered) {
                    throw fail("data bytes " + covered + ".." + e.begin() + " belong to no tensor (before '" + Echo.of(e.name())
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
}
