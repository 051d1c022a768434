package plaudit.data.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import plaudit.data.Comment;
import plaudit.data.DataStats;
import plaudit.data.Deleted;
import plaudit.data.Post;
import plaudit.data.PromptFormat;
import plaudit.data.SkipReason;
import plaudit.data.io.Html;
import plaudit.data.io.InputFile;
import plaudit.data.io.LineReader;

import java.io.IOException;
import java.util.List;

/**
 * Pushshift Reddit dumps: one JSON object per line, submissions (RS_*) and comments (RC_*), plain or zstd (with
 * Pushshift's 2 GiB window). Each line is classified by its fields (a comment has {@code link_id}, a submission has
 * {@code title}), so the two kinds may share a file. Only the needed fields are decoded, with a streaming parser,
 * because real lines carry 20 to 110 keys.
 *
 * <p>Quirks handled: {@code score} and {@code created_utc} as int, float or string; {@code edited} as false, true or
 * an edit timestamp; {@code [deleted]}/{@code [removed]} bodies and authors; fields absent in old years
 * ({@code name}, {@code is_self}, {@code over_18}); {@code link_id} with or without its {@code t3_} prefix; Markdown
 * with {@code &amp; &lt; &gt;} escaped.
 *
 * <p>Speed: lines go through {@link PushshiftScanner} first, a strict scanner that decodes only these fields, and
 * fall back to Jackson's streaming parser for anything it declines. One instance per thread.
 */
public final class PushshiftReader implements SourceReader {
    static final JsonFactory JSON = JsonRecords.FACTORY;

    /** The fields of one line that matter; everything else is skipped unparsed. */
    static final class Fields {
        String id, author, body, selftext, title, subreddit, linkId, parentId, removedBy;
        Double score, created;
        boolean edited, over18;
        Boolean isSelf;

        @Override
        public String toString() {
            return String.join("|", id, author, body, selftext, title, subreddit, linkId, parentId, removedBy,
                    String.valueOf(score), String.valueOf(created), String.valueOf(edited), String.valueOf(over18),
                    String.valueOf(isSelf));
        }
    }

    /** Most lines take the fast path; the full parser handles (and reports) the rest. Not shared between threads. */
    private final PushshiftScanner fast = new PushshiftScanner();

    @Override
    public void read(InputFile in, RecordSink sink, DataStats stats) {
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
            Fields f = new Fields();
            if (!fast.scan(lines.buffer(), lines.offset(), lines.length(), f)) {
                try (JsonParser p = JSON.createParser(lines.buffer(), lines.offset(), lines.length())) {
                    f = parse(p);
                } catch (IOException e) {
                    stats.skip(DataStats.Unit.RECORDS, JsonRecords.skipFor(e), file, line, JsonRecords.shortMessage(e));
                    continue;
                } catch (BadRecord bad) {
                    stats.skip(DataStats.Unit.RECORDS, bad.reason, file, line, bad.getMessage());
                    continue;
                }
            }
            try {
                if (f.linkId != null) sink.comment(comment(f, file, line));
                else if (f.title != null) sink.post(submission(f, file, line));
                else throw new BadRecord(SkipReason.UNKNOWN_RECORD, "neither link_id (comment) nor title (submission)");
            } catch (BadRecord bad) {
                stats.skip(DataStats.Unit.RECORDS, bad.reason, file, line, bad.getMessage());
            }
        }
    }

    /** The full parser: every line the fast path declines, and the reference the fast path is tested against. */
    static Fields parse(JsonParser p) throws IOException, BadRecord {
        JsonToken first = p.nextToken();
        if (first != JsonToken.START_OBJECT) {
            throw new BadRecord(SkipReason.NOT_AN_OBJECT, first == null ? "empty" : first.asString() == null ? first.name() : first.asString());
        }
        Fields f = new Fields();
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "id" -> f.id = string(p, t, name);
                case "author" -> f.author = string(p, t, name);
                case "body" -> f.body = string(p, t, name);
                case "selftext" -> f.selftext = string(p, t, name);
                case "title" -> f.title = string(p, t, name);
                case "subreddit" -> f.subreddit = string(p, t, name);
                case "link_id" -> f.linkId = string(p, t, name);
                case "parent_id" -> f.parentId = string(p, t, name);
                case "removed_by_category" -> f.removedBy = string(p, t, name);
                case "score" -> f.score = number(p, t, name);
                case "created_utc" -> f.created = number(p, t, name);
                case "edited" -> f.edited = edited(p, t);
                case "over_18" -> f.over18 = flag(p, t) == Boolean.TRUE;
                case "is_self" -> f.isSelf = flag(p, t);
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
            throw new BadRecord(SkipReason.INVALID_JSON, "content after the object");
        }
        return f;
    }

    private static String string(JsonParser p, JsonToken t, String field) throws IOException, BadRecord {
        if (t == JsonToken.VALUE_STRING) return p.getText();
        if (t == JsonToken.VALUE_NULL) return null;
        if (t == JsonToken.VALUE_NUMBER_INT) return p.getText(); // very old ids
        throw BadRecord.wrongType(field, "a string", t.name().toLowerCase());
    }

    private static Double number(JsonParser p, JsonToken t, String field) throws IOException, BadRecord {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return JsonRecords.finite(field, p.getDoubleValue(), p.getText());
        }
        if (t == JsonToken.VALUE_STRING) return JsonRecords.parseNumber(field, p.getText());
        if (t == JsonToken.VALUE_NULL) return null;
        throw BadRecord.wrongType(field, "a number", t.name().toLowerCase());
    }

    /** A boolean; null for null or any other type (whose children are skipped, so parsing stays in step). */
    private static Boolean flag(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_TRUE) return true;
        if (t == JsonToken.VALUE_FALSE) return false;
        p.skipChildren();
        return null;
    }

    /** {@code edited}: false, true, or the edit time (int, float or string); anything else counts as not edited. */
    private static boolean edited(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_TRUE -> true;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue() > 0;
            case VALUE_STRING -> !p.getText().isBlank() && !p.getText().equalsIgnoreCase("false");
            case START_OBJECT, START_ARRAY -> {
                p.skipChildren();
                yield false;
            }
            default -> false;
        };
    }

    private static Comment comment(Fields f, String file, long line) throws BadRecord {
        if (f.id == null) throw BadRecord.missing("id");
        if (f.parentId == null) throw BadRecord.missing("parent_id");
        if (f.body == null) throw BadRecord.missing("body");
        if (f.score == null) throw BadRecord.missing("score");
        if (f.created == null) throw BadRecord.missing("created_utc");
        String threadId = fullName("t3_", f.linkId);
        String parentId = f.parentId.startsWith("t1_") || f.parentId.startsWith("t3_") ? f.parentId : fullName("t1_", f.parentId);
        return new Comment(fullName("t1_", f.id), threadId, parentId, Html.unescapeRedditMarkdown(f.body).strip(),
                f.author, JsonRecords.toInt("score", f.score), f.created.longValue(), parentId.equals(threadId) ? 0 : -1,
                false, file, line);
    }

    private static Post submission(Fields f, String file, long line) throws BadRecord {
        if (f.id == null) throw BadRecord.missing("id");
        if (f.score == null) throw BadRecord.missing("score");
        if (f.created == null) throw BadRecord.missing("created_utc");
        String subreddit = f.subreddit == null ? "" : f.subreddit;
        String selftext = f.selftext == null ? "" : f.selftext;
        boolean removed = Deleted.text(selftext) || f.removedBy != null;
        String body = removed ? "" : Html.unescapeRedditMarkdown(selftext).strip();
        boolean self = f.isSelf != null ? f.isSelf : !selftext.isEmpty();
        String prompt = PromptFormat.reddit(subreddit, Html.unescapeRedditMarkdown(f.title).strip(), body);
        return new Post(fullName("t3_", f.id), subreddit, prompt, f.author, JsonRecords.toInt("score", f.score),
                f.created.longValue(), f.edited, f.over18, removed, self, List.of(), null, file, line);
    }

    private static String fullName(String prefix, String id) {
        return id.startsWith(prefix) ? id : prefix + id;
    }
}
