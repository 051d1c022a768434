package plaudit.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;

import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

/** An {@link Experiment} as JSON: every field written; read over the defaults, naming a bad field. */
final class ExperimentJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ExperimentJson() {
    }

    static String write(Experiment e) {
        try {
            return JSON.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static Experiment read(String json) {
        try {
            JsonNode given = JSON.readTree(json);
            if (given == null || !given.isObject()) throw new UserError("experiment JSON must be an object");
            ObjectNode merged = JSON.valueToTree(Experiment.defaults());
            // a folder's model takes nothing from the default GPT shape: a shape field given with it is refused
            if (given.path("model").path("from").isTextual()) merged.remove("model");
            merge(merged, given);
            return JSON.treeToValue(merged, Experiment.class);
        } catch (UnrecognizedPropertyException ex) {
            throw new UserError("experiment JSON: unknown field '" + path(ex) + "'; known fields here: "
                    + ex.getKnownPropertyIds());
        } catch (JsonProcessingException ex) {
            for (Throwable t = ex; t != null; t = t.getCause()) if (t instanceof UserError u) throw u;
            String where = path(ex);
            throw new UserError("experiment JSON: " + (where.isEmpty() ? "" : "field '" + where + "': ")
                    + ex.getOriginalMessage());
        }
    }

    /** Overlays {@code given} on {@code base}; objects merge field by field, anything else replaces. */
    private static void merge(ObjectNode base, JsonNode given) {
        for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> en = it.next();
            JsonNode old = base.get(en.getKey());
            if (old instanceof ObjectNode o && en.getValue().isObject()) merge(o, en.getValue());
            else base.set(en.getKey(), en.getValue());
        }
    }

    private static String path(JsonProcessingException e) {
        if (!(e instanceof JsonMappingException m)) return "";
        return m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
