package plaudit.data.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.data.DataStats;
import plaudit.data.SkipReason;
import plaudit.Echo;
import plaudit.data.io.InputFile;
import plaudit.data.io.LineReader;

import java.io.CharConversionException;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * JSON Lines reading with per-line recovery, and tolerant field access. Real dumps change types over the years
 * (Pushshift's created_utc is an int, a float or a string), so numbers are accepted as JSON numbers or numeric
 * strings; anything else is a counted {@link SkipReason#WRONG_TYPE}.
 */
final class JsonRecords {
    /** Deeper than any real record; a hostile file nests 100,000 levels to exhaust the stack. */
    static final int MAX_DEPTH = 1000;
    /** Streaming parsers with the same limits as {@link #JSON}. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();
    static final ObjectMapper JSON = new ObjectMapper(FACTORY).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @FunctionalInterface
    interface Handler {
        void record(ObjectNode node, long line) throws BadRecord;
    }

    private JsonRecords() {
    }

    /** Calls the handler for each line that is a JSON object; every other line is counted under its skip reason. */
    static void forEachLine(InputFile in, DataStats stats, Handler handler) {
        LineReader lines = new LineReader(in);
        String file = in.name();
        while (lines.next()) {
            stats.countRead(DataStats.Unit.RECORDS);
            if (lines.tooLong()) {
                stats.skip(DataStats.Unit.RECORDS, SkipReason.LINE_TOO_LONG, file, lines.lineNumber());
                continue;
            }
            if (lines.isBlank()) {
                stats.skip(DataStats.Unit.RECORDS, SkipReason.BLANK_LINE, file, lines.lineNumber());
                continue;
            }
            try (JsonParser p = FACTORY.createParser(lines.buffer(), lines.offset(), lines.length())) {
                ObjectNode obj = object(p, p.nextToken());
                if (p.nextToken() != null) throw new BadRecord(SkipReason.INVALID_JSON, "content after the object");
                handler.record(obj, lines.lineNumber());
            } catch (IOException e) {
                stats.skip(DataStats.Unit.RECORDS, skipFor(e), file, lines.lineNumber(), shortMessage(e));
            } catch (BadRecord bad) {
                stats.skip(DataStats.Unit.RECORDS, bad.reason, file, lines.lineNumber(), bad.getMessage());
            }
        }
    }

    /**
     * The object starting at token {@code t}, read with a streaming parser and kept flat: scalar fields as nodes,
     * nested objects and arrays passed over unread, leaving an empty one of their kind (so that a field of the wrong
     * type is still reported as such). No reader uses nested values, and a tree of a 30 MB array of numbers would
     * take twenty times its size in memory. Anything but an object is passed over and refused.
     */
    static ObjectNode object(JsonParser p, JsonToken t) throws IOException, BadRecord {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            throw new BadRecord(SkipReason.NOT_AN_OBJECT, t == null ? "empty" : kind(t));
        }
        ObjectNode o = JSON.createObjectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            field(p, o, name, p.nextToken());
        }
        return o;
    }

    /** Sets field {@code name} of {@code o} from the value starting at token {@code t}, flat as {@link #object} says. */
    static void field(JsonParser p, ObjectNode o, String name, JsonToken t) throws IOException {
        o.set(name, switch (t) {
            case START_OBJECT, START_ARRAY -> {
                p.skipChildren();
                yield t == JsonToken.START_OBJECT ? o.objectNode() : o.arrayNode();
            }
            case VALUE_STRING -> o.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> o.numberNode(p.getIntValue());
                case LONG -> o.numberNode(p.getLongValue());
                default -> o.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> o.numberNode(p.getDoubleValue());
            case VALUE_TRUE, VALUE_FALSE -> o.booleanNode(t == JsonToken.VALUE_TRUE);
            default -> o.nullNode();
        });
    }

    private static String kind(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            default -> "null";
        };
    }

    /** Why a line the parser refused is skipped: too deep, not UTF-8, or otherwise not JSON. */
    static SkipReason skipFor(IOException e) {
        if (tooDeep(e)) return SkipReason.NESTING_TOO_DEEP;
        if (e instanceof CharConversionException || String.valueOf(e.getMessage()).contains("Invalid UTF-8")) {
            return SkipReason.INVALID_UTF8;
        }
        return SkipReason.INVALID_JSON;
    }

    static boolean tooDeep(IOException e) {
        return e instanceof StreamConstraintsException && String.valueOf(e.getMessage()).contains("nesting depth");
    }

    static String shortMessage(IOException e) {
        if (tooDeep(e)) return "nesting deeper than " + MAX_DEPTH;
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (m == null) m = e.getClass().getSimpleName();
        return Echo.of(m);
    }

    static String describe(JsonNode n) {
        return n.getNodeType().toString().toLowerCase();
    }

    static JsonNode present(ObjectNode o, String field) throws BadRecord {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) throw BadRecord.missing(field);
        return n;
    }

    static String text(ObjectNode o, String field) throws BadRecord {
        JsonNode n = present(o, field);
        if (!n.isTextual()) throw BadRecord.wrongType(field, "a string", describe(n));
        return n.textValue();
    }

    static String optText(ObjectNode o, String field) throws BadRecord {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw BadRecord.wrongType(field, "a string", describe(n));
        return n.textValue();
    }

    /** An id: a string or an integer (HN ids are numbers), returned as text. */
    static String id(ObjectNode o, String field) throws BadRecord {
        JsonNode n = present(o, field);
        if (n.isTextual() && !n.textValue().isBlank()) return n.textValue();
        if (n.isIntegralNumber()) return n.asText();
        throw BadRecord.wrongType(field, "an id", describe(n));
    }

    static double number(ObjectNode o, String field) throws BadRecord {
        return number(field, present(o, field));
    }

    static double number(String field, JsonNode n) throws BadRecord {
        if (n.isNumber()) return finite(field, n.doubleValue(), n.asText());
        if (n.isTextual()) return parseNumber(field, n.textValue());
        throw BadRecord.wrongType(field, "a number", describe(n));
    }

    /**
     * A JSON number text such as {@code 1e400} parses to an infinite double without complaint; written back it would
     * become the string "Infinity", which no later stage accepts. So a non-finite value is refused here, per record.
     */
    static double finite(String field, double v, String text) throws BadRecord {
        if (Double.isFinite(v)) return v;
        throw new BadRecord(SkipReason.NON_FINITE_NUMBER, field + ": " + Echo.quote(text) + " is not a finite number");
    }

    static double parseNumber(String field, String s) throws BadRecord {
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw BadRecord.wrongType(field, "a number", Echo.quote(s));
        }
        return finite(field, v, s);
    }

    static int integer(ObjectNode o, String field) throws BadRecord {
        return toInt(field, number(o, field));
    }

    static int toInt(String field, double v) throws BadRecord {
        if (Math.abs(v) > Integer.MAX_VALUE) throw BadRecord.wrongType(field, "a score", "out-of-range " + v);
        return (int) Math.round(v);
    }

    /** Epoch seconds from a number (int or float) or a numeric string. */
    static long epochSeconds(ObjectNode o, String field) throws BadRecord {
        return (long) number(o, field);
    }

    /**
     * Epoch seconds from a number, a numeric string, or an ISO-8601 date-time ({@code 2023-07-17T19:24:01.893},
     * with or without a zone; no zone means UTC) or date. Numbers above 1e11 are taken as milliseconds.
     */
    static long time(String field, String s) throws BadRecord {
        String t = s.trim();
        try {
            double v = Double.parseDouble(t);
            if (Double.isFinite(v)) return (long) (Math.abs(v) > 1e11 ? v / 1000 : v);
        } catch (NumberFormatException ignored) {
            // not a number: try dates
        }
        String iso = t.length() > 10 && t.charAt(10) == ' ' ? t.substring(0, 10) + 'T' + t.substring(11) : t;
        try {
            return Instant.parse(iso).getEpochSecond();
        } catch (DateTimeParseException ignored) {
            // no zone
        }
        try {
            return LocalDateTime.parse(iso).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // date only
        }
        try {
            return LocalDate.parse(iso).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw BadRecord.wrongType(field, "epoch seconds or an ISO-8601 time", Echo.quote(s));
        }
    }
}
