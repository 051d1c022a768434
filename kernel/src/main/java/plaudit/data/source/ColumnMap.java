package plaudit.data.source;

import plaudit.UserError;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Which column (CSV) or field (JSONL) holds what, from {@code --map thread=link_id,parent=parent_id,text=body,...}.
 * Required: {@code thread, parent, text, score}. Optional: {@code time} (needed by the later-written rule),
 * {@code id} (needed to place replies to replies), {@code author}, {@code title}, {@code community}.
 */
public record ColumnMap(String thread, String parent, String text, String score, String time, String id,
                        String author, String title, String community) {
    private static final List<String> KEYS = List.of("thread", "parent", "text", "score", "time", "id", "author",
            "title", "community");

    public static ColumnMap parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new UserError("--source csv needs --map, e.g. --map thread=post_id,parent=parent_id,text=body,score=score,time=created");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) throw new UserError("--map '" + spec + "': '" + part.trim() + "' is not key=column");
            String key = part.substring(0, eq).trim().toLowerCase();
            String column = part.substring(eq + 1).trim();
            if (!KEYS.contains(key)) throw new UserError("--map: unknown key '" + key + "'; known keys: " + String.join(", ", KEYS));
            if (column.isEmpty()) throw new UserError("--map: key '" + key + "' has no column name");
            if (m.put(key, column) != null) throw new UserError("--map: key '" + key + "' given twice");
        }
        for (String req : List.of("thread", "parent", "text", "score")) {
            if (!m.containsKey(req)) {
                throw new UserError("--map '" + spec + "' lacks " + req + "=COLUMN (required: thread, parent, text, score)");
            }
        }
        return new ColumnMap(m.get("thread"), m.get("parent"), m.get("text"), m.get("score"), m.get("time"), m.get("id"),
                m.get("author"), m.get("title"), m.get("community"));
    }

    /** The mapped column names, for checking a CSV header. */
    public List<String> columns() {
        return Stream.of(thread, parent, text, score, time, id, author, title, community)
                .filter(Objects::nonNull).toList();
    }
}
