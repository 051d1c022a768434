package plaudit.data.source;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;
import plaudit.data.Comment;
import plaudit.data.DataStats;
import plaudit.data.Post;
import plaudit.data.PromptFormat;
import plaudit.data.SkipReason;
import plaudit.data.io.Echo;
import plaudit.data.io.Html;
import plaudit.data.io.InputFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hacker News items as the public API returns them ({@code GET /v0/item/<id>.json}): {@code id, type, by, time,
 * text, parent, kids, score, title, url, deleted, dead}. Accepted layouts: JSON Lines (one item per line, with
 * per-line recovery), a JSON array of items, or a crawl wrapper {@code {"post": item, "comments": [items]}}.
 *
 * <p>HN comments carry no score. The order of a story's {@code kids} is HN's own ranking (votes with time decay),
 * so HN yields rank-based pairs: see {@link plaudit.data.PostThread}. Comments join their story through
 * {@code parent}; an item has no story id, so replies to comments cannot be placed in a thread without their whole
 * ancestry and are counted as orphans. Deleted and dead (flagged) items count as deleted text.
 */
public final class HackerNewsReader implements SourceReader {
    private static final int PEEK = 1 << 20;
    /** For documents: several values are read from one stream, so trailing tokens are expected. */
    private static final ObjectMapper DOCUMENT = new ObjectMapper();

    @Override
    public void read(InputFile in, RecordSink sink, DataStats stats) {
        if (isJsonLines(in.peek(PEEK))) {
            JsonRecords.forEachLine(in, stats, (o, line) -> item(o, in.name(), line, sink));
        } else {
            readDocument(in.stream(), in, sink, stats);
        }
    }

    /**
     * JSON Lines when one of the first lines is a whole JSON object (a damaged first line must not turn a JSONL file
     * into one broken document), or when the input does not start like a document at all.
     */
    private static boolean isJsonLines(byte[] head) {
        int start = 0;
        int checked = 0;
        while (start < head.length && checked < 8) {
            int end = start;
            while (end < head.length && head[end] != '\n') end++;
            if (end == head.length && end == PEEK) break; // a line cut by the peek window proves nothing
            String line = new String(head, start, end - start, StandardCharsets.UTF_8).strip();
            if (!line.isEmpty()) {
                checked++;
                try {
                    if (JsonRecords.JSON.readTree(line) instanceof ObjectNode) return true;
                } catch (IOException e) {
                    // not a whole object: look further
                }
            }
            start = end + 1;
        }
        int first = 0;
        while (first < head.length && Character.isWhitespace(head[first])) first++;
        return first == head.length || (head[first] != '{' && head[first] != '[');
    }

    private static void readDocument(InputStream stream, InputFile in, RecordSink sink, DataStats stats) {
        try (JsonParser p = DOCUMENT.getFactory().createParser(stream)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) item(p, in.name(), sink, stats);
                } else if (t == JsonToken.START_OBJECT) {
                    rootObject(p, in.name(), sink, stats);
                } else {
                    item(p, in.name(), sink, stats);
                }
            }
        } catch (JsonProcessingException e) {
            throw new UserError(in.path() + ": not valid JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + " (" + e.getOriginalMessage()
                    + "); a JSON document cannot be resumed after an error, use JSON Lines for per-line recovery", e);
        } catch (IOException e) {
            throw in.damaged(e, -1);
        }
    }

    /**
     * A root object is either a crawl wrapper {@code {"post": item, "comments": [items]}}, streamed item by item,
     * or an item itself, rebuilt field by field once its first field name shows it is not a wrapper.
     */
    private static void rootObject(JsonParser p, String file, RecordSink sink, DataStats stats) throws IOException {
        long line = p.currentTokenLocation().getLineNr();
        ObjectNode item = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (item == null && name.equals("post")) {
                item(p, file, sink, stats);
            } else if (item == null && name.equals("comments") && value == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) item(p, file, sink, stats);
            } else {
                if (item == null) item = DOCUMENT.createObjectNode();
                item.set(name, p.readValueAsTree());
            }
        }
        if (item != null) deliver(item, file, line, sink, stats);
    }

    /** The item at the parser's current token. */
    private static void item(JsonParser p, String file, RecordSink sink, DataStats stats) throws IOException {
        long line = p.currentTokenLocation().getLineNr();
        deliver(p.readValueAsTree(), file, line, sink, stats);
    }

    private static void deliver(JsonNode node, String file, long line, RecordSink sink, DataStats stats) {
        stats.countRead(DataStats.Unit.RECORDS);
        if (!(node instanceof ObjectNode o)) {
            stats.skip(DataStats.Unit.RECORDS, SkipReason.NOT_AN_OBJECT, file, line, JsonRecords.describe(node));
            return;
        }
        try {
            item(o, file, line, sink);
        } catch (BadRecord bad) {
            stats.skip(DataStats.Unit.RECORDS, bad.reason, file, line, bad.getMessage());
        }
    }

    private static void item(ObjectNode o, String file, long line, RecordSink sink) throws BadRecord {
        String id = "hn/" + JsonRecords.id(o, "id");
        String type = JsonRecords.text(o, "type");
        boolean gone = o.path("deleted").asBoolean(false) || o.path("dead").asBoolean(false);
        String by = JsonRecords.optText(o, "by");
        long time = JsonRecords.epochSeconds(o, "time");
        switch (type) {
            case "story", "poll" -> {
                String title = JsonRecords.optText(o, "title");
                if (title == null && !gone) throw BadRecord.missing("title");
                String text = JsonRecords.optText(o, "text");
                String url = JsonRecords.optText(o, "url");
                String body = text != null ? Html.toText(text) : url != null ? url : "";
                List<String> kids = new ArrayList<>();
                JsonNode k = o.get("kids");
                if (k != null && k.isArray()) for (JsonNode kid : k) kids.add("hn/" + kid.asText());
                int score = o.hasNonNull("score") ? JsonRecords.integer(o, "score") : 0;
                sink.post(new Post(id, "hn", PromptFormat.hackerNews(title == null ? "" : Html.unescape(title), body),
                        by, score, time, false, false, gone, text != null, kids, null, file, line));
            }
            case "comment" -> {
                String parent = "hn/" + JsonRecords.id(o, "parent");
                String text = gone ? "[deleted]" : JsonRecords.optText(o, "text");
                if (text == null) throw BadRecord.missing("text");
                // The story id is not in the item: the parent stands in, which is right for top-level comments.
                sink.comment(new Comment(id, parent, parent, gone ? text : Html.toText(text), by, 0, time, 0, false,
                        file, line));
            }
            default -> throw new BadRecord(SkipReason.UNKNOWN_RECORD, "type " + Echo.quote(type));
        }
    }
}
