package plaudit.data.source;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;
import plaudit.data.Comment;
import plaudit.data.DataStats;
import plaudit.data.Post;
import plaudit.data.PromptFormat;
import plaudit.data.SkipReason;
import plaudit.Echo;
import plaudit.data.io.Html;
import plaudit.data.io.InputFile;
import plaudit.data.io.LineReader;

import java.io.IOException;
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
 *
 * <p>Every layout is read token by token: memory holds one item, never the document, and a {@code kids} array is
 * streamed into the item's ranking up to {@link #MAX_KIDS} entries (past that the item is a counted
 * {@link SkipReason#TOO_MANY_REPLIES} and the rest of the array is passed over unread). Nesting deeper than
 * {@link JsonRecords#MAX_DEPTH} is a counted skip on a JSON Lines line, and a one-line error for a document (which
 * cannot be resumed after it).
 */
public final class HackerNewsReader implements SourceReader {
    private static final int PEEK = 1 << 20;
    /** HN's largest threads have a few thousand direct replies; a list far beyond that is not a real item. */
    static final int MAX_KIDS = 100_000;

    @Override
    public void read(InputFile in, RecordSink sink, DataStats stats) {
        if (isJsonLines(in.peek(PEEK))) {
            readLines(in, sink, stats);
        } else {
            readDocument(in, sink, stats);
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

    private static void readLines(InputFile in, RecordSink sink, DataStats stats) {
        LineReader lines = new LineReader(in);
        String file = in.name();
        while (lines.next()) {
            stats.countRead(DataStats.Unit.RECORDS);
            long line = lines.lineNumber();
            if (lines.tooLong()) {
                stats.skip(DataStats.Unit.RECORDS, SkipReason.LINE_TOO_LONG, file, line);
                continue;
            }
            if (lines.isBlank()) {
                stats.skip(DataStats.Unit.RECORDS, SkipReason.BLANK_LINE, file, line);
                continue;
            }
            try (JsonParser p = JsonRecords.FACTORY.createParser(lines.buffer(), lines.offset(), lines.length())) {
                Item item = Item.read(p, p.nextToken());
                if (p.nextToken() != null) throw new BadRecord(SkipReason.INVALID_JSON, "content after the item");
                item.deliver(file, line, sink);
            } catch (IOException e) {
                stats.skip(DataStats.Unit.RECORDS, JsonRecords.skipFor(e), file, line, JsonRecords.shortMessage(e));
            } catch (BadRecord bad) {
                stats.skip(DataStats.Unit.RECORDS, bad.reason, file, line, bad.getMessage());
            }
        }
    }

    private static void readDocument(InputFile in, RecordSink sink, DataStats stats) {
        JsonParser p;
        try {
            p = JsonRecords.FACTORY.createParser(in.stream());
        } catch (IOException e) {
            throw in.damaged(e, -1);
        }
        try (p) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.START_ARRAY) {
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) item(p, t, in.name(), sink, stats);
                } else if (t == JsonToken.START_OBJECT) {
                    rootObject(p, in.name(), sink, stats);
                } else {
                    item(p, t, in.name(), sink, stats);
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = p.currentTokenLocation();
            String where = " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String what = JsonRecords.tooDeep(e) ? "JSON nested deeper than " + JsonRecords.MAX_DEPTH + " levels" + where
                    : "not valid JSON" + where + " (" + JsonRecords.shortMessage(e) + ")";
            throw new UserError(in.path() + ": " + what
                    + "; a JSON document cannot be resumed after an error, use JSON Lines for per-line recovery");
        } catch (IOException e) {
            throw in.damaged(e, -1);
        }
    }

    /**
     * A root object is either a crawl wrapper {@code {"post": item, "comments": [items]}}, streamed item by item,
     * or an item itself, read on field by field once its first field name shows it is not a wrapper.
     */
    private static void rootObject(JsonParser p, String file, RecordSink sink, DataStats stats) throws IOException {
        long line = p.currentTokenLocation().getLineNr();
        Item item = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (item == null && name.equals("post")) {
                item(p, value, file, sink, stats);
            } else if (item == null && name.equals("comments") && value == JsonToken.START_ARRAY) {
                while ((value = p.nextToken()) != JsonToken.END_ARRAY) item(p, value, file, sink, stats);
            } else {
                if (item == null) item = new Item();
                item.field(p, name, value);
            }
        }
        if (item != null) deliver(item, file, line, sink, stats);
    }

    /** The item starting at the parser's current token {@code t}. */
    private static void item(JsonParser p, JsonToken t, String file, RecordSink sink, DataStats stats) throws IOException {
        long line = p.currentTokenLocation().getLineNr();
        Item item;
        try {
            item = Item.read(p, t);
        } catch (BadRecord bad) {
            stats.countRead(DataStats.Unit.RECORDS);
            stats.skip(DataStats.Unit.RECORDS, bad.reason, file, line, bad.getMessage());
            return;
        }
        deliver(item, file, line, sink, stats);
    }

    private static void deliver(Item item, String file, long line, RecordSink sink, DataStats stats) {
        stats.countRead(DataStats.Unit.RECORDS);
        try {
            item.deliver(file, line, sink);
        } catch (BadRecord bad) {
            stats.skip(DataStats.Unit.RECORDS, bad.reason, file, line, bad.getMessage());
        }
    }

    /**
     * One item, read token by token: flat as {@link JsonRecords#object} reads it, with {@code kids} streamed into
     * the ranking.
     */
    private static final class Item {
        private final ObjectNode fields = JsonRecords.JSON.createObjectNode();
        private final List<String> kids = new ArrayList<>();
        private boolean tooManyKids;

        /** Reads the value starting at {@code t}; anything but an object is passed over and refused. */
        static Item read(JsonParser p, JsonToken t) throws IOException, BadRecord {
            if (t != JsonToken.START_OBJECT) JsonRecords.object(p, t); // refuses it
            Item item = new Item();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                item.field(p, name, p.nextToken());
            }
            return item;
        }

        void field(JsonParser p, String name, JsonToken value) throws IOException {
            if (name.equals("kids") && value == JsonToken.START_ARRAY) kids(p);
            else JsonRecords.field(p, fields, name, value);
        }

        private void kids(JsonParser p) throws IOException {
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    p.skipChildren(); // not an id: it ranks nothing
                    continue;
                }
                if (kids.size() == MAX_KIDS) tooManyKids = true;
                if (!tooManyKids) kids.add("hn/" + p.getText());
            }
            if (tooManyKids) kids.clear();
        }

        void deliver(String file, long line, RecordSink sink) throws BadRecord {
            if (tooManyKids) throw new BadRecord(SkipReason.TOO_MANY_REPLIES, "kids: more than " + MAX_KIDS + " ids");
            ObjectNode o = fields;
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
                    int score = o.hasNonNull("score") ? JsonRecords.integer(o, "score") : 0;
                    sink.post(new Post(id, "hn", PromptFormat.hackerNews(title == null ? "" : Html.unescape(title), body),
                            by, score, time, false, false, gone, text != null, List.copyOf(kids), null, file, line));
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
}
