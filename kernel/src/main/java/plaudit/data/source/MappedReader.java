package plaudit.data.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.UserError;
import plaudit.data.Comment;
import plaudit.data.DataStats;
import plaudit.data.Deleted;
import plaudit.data.Post;
import plaudit.data.PromptFormat;
import plaudit.data.SkipReason;
import plaudit.data.io.CsvRecords;
import plaudit.Echo;
import plaudit.data.io.InputFile;

import java.nio.charset.CharacterCodingException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Generic threads from CSV (with a header row) or JSON Lines (detected by a leading '{'), through a
 * {@link ColumnMap}. A row whose parent is empty is its thread's post (its text becomes the prompt); any other row is
 * a comment, top-level when its parent equals its thread id. Scores are numbers; times are epoch seconds (above 1e11:
 * milliseconds) or ISO-8601 date-times (no zone: UTC).
 */
public final class MappedReader implements SourceReader {
    private final ColumnMap map;

    public MappedReader(ColumnMap map) {
        this.map = map;
    }

    @Override
    public void read(InputFile in, RecordSink sink, DataStats stats) {
        byte[] head = in.peek(64);
        int i = 0;
        while (i < head.length && (Character.isWhitespace(head[i]) || (head[i] & 0xff) == 0xEF || (head[i] & 0xff) == 0xBB
                || (head[i] & 0xff) == 0xBF)) i++;
        if (i < head.length && head[i] == '{') {
            JsonRecords.forEachLine(in, stats, (o, line) -> row(field -> jsonValue(o, field), in.name(), line, sink));
        } else {
            readCsv(in, sink, stats);
        }
    }

    private static String jsonValue(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
    }

    private void readCsv(InputFile in, RecordSink sink, DataStats stats) {
        CsvRecords records = new CsvRecords(in);
        if (!records.next()) return; // empty file: no header, no records
        String[] head;
        try {
            head = records.tooLong() ? null : records.fields();
        } catch (CharacterCodingException e) {
            throw new UserError(in.path() + ": the header row is not UTF-8; save the file as UTF-8");
        }
        if (head == null) throw new UserError(in.path() + ": the header row is longer than 8 MiB or has more than "
                + CsvRecords.MAX_COLUMNS + " columns; is this a CSV file?");
        List<String> header = Arrays.stream(head).map(h -> h == null ? "" : h.replace("\uFEFF", "").strip()).toList();
        for (String column : map.columns()) {
            if (!header.contains(column)) {
                throw new UserError(in.path() + ": --map names column '" + column + "' but the header has "
                        + header.stream().limit(20).map(Echo::of).collect(Collectors.joining(", "))
                        + (header.size() > 20 ? ", …" : ""));
            }
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = header.size() - 1; i >= 0; i--) index.put(header.get(i), i); // first of repeated names wins
        while (records.next()) {
            stats.countRead(DataStats.Unit.RECORDS);
            long line = records.lineNumber();
            try {
                if (records.tooLong()) throw new BadRecord(SkipReason.LINE_TOO_LONG, "record longer than 8 MiB");
                String[] r = fields(records);
                row(field -> {
                    int idx = index.get(field);
                    return idx < r.length ? r[idx] : null;
                }, in.name(), line, sink);
            } catch (BadRecord bad) {
                stats.skip(DataStats.Unit.RECORDS, bad.reason, in.name(), line, bad.getMessage());
            }
        }
    }

    private static String[] fields(CsvRecords records) throws BadRecord {
        String[] r;
        try {
            r = records.fields();
        } catch (CharacterCodingException e) {
            throw new BadRecord(SkipReason.INVALID_UTF8, "not UTF-8");
        }
        if (r == null) throw new BadRecord(SkipReason.WRONG_TYPE, "more than " + CsvRecords.MAX_COLUMNS + " columns");
        return r;
    }

    private void row(Function<String, String> value, String file, long line, RecordSink sink) throws BadRecord {
        String thread = value.apply(map.thread());
        if (thread == null || thread.isBlank()) throw BadRecord.missing(map.thread());
        String text = value.apply(map.text());
        if (text == null) throw BadRecord.missing(map.text());
        String scoreText = value.apply(map.score());
        if (scoreText == null || scoreText.isBlank()) throw BadRecord.missing(map.score());
        int score = JsonRecords.toInt(map.score(), JsonRecords.parseNumber(map.score(), scoreText));
        long time = 0;
        if (map.time() != null) {
            String t = value.apply(map.time());
            if (t == null || t.isBlank()) throw BadRecord.missing(map.time());
            time = JsonRecords.time(map.time(), t);
        }
        String author = map.author() == null ? null : value.apply(map.author());
        String parent = value.apply(map.parent());
        text = text.strip();
        if (parent == null || parent.isBlank()) {
            String community = map.community() == null ? null : value.apply(map.community());
            String title = map.title() == null ? null : value.apply(map.title());
            sink.post(new Post(thread, community == null ? "" : community, PromptFormat.generic(community, title, text),
                    author, score, time, false, false, Deleted.text(text), true, List.of(), null, file, line));
        } else {
            String id = map.id() == null ? null : value.apply(map.id());
            if (id == null || id.isBlank()) id = file + ":" + line;
            sink.comment(new Comment(id, thread, parent, text, author, score, time, parent.equals(thread) ? 0 : -1,
                    false, file, line));
        }
    }
}
