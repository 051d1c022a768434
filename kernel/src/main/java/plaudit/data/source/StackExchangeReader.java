package plaudit.data.source;

import plaudit.data.Comment;
import plaudit.data.DataStats;
import plaudit.data.Post;
import plaudit.data.PromptFormat;
import plaudit.data.SkipReason;
import plaudit.Echo;
import plaudit.data.io.Html;
import plaudit.data.io.InputFile;
import plaudit.data.io.LineReader;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * A Stack Exchange data dump's {@code Posts.xml}: {@code <row Id PostTypeId ParentId AcceptedAnswerId CreationDate
 * Score Body Title OwnerUserId OwnerDisplayName …/>}. Questions (PostTypeId 1) become posts, answers (2) comments
 * on their question; other types (tag wikis, moderator nominations) are counted as unknown records.
 *
 * <p>The dump writes one {@code <row/>} per line (newlines inside bodies are encoded as {@code &#xA;}), so each line
 * is parsed with StAX on its own: memory stays constant and a bad line (truncated, an undefined entity, garbage) is
 * a counted skip instead of the end of the file. The UTF-8 BOM, the XML declaration and the {@code <posts>} wrapper
 * are structure, not records.
 *
 * <p>The site is taken from the path: the folder of a file named {@code Posts.xml}
 * ({@code coffee.stackexchange.com/Posts.xml}), else the file name up to its first underscore.
 */
public final class StackExchangeReader implements SourceReader {
    private final XMLInputFactory xml;

    public StackExchangeReader() {
        xml = XMLInputFactory.newFactory();
        xml.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xml.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        xml.setProperty(XMLInputFactory.IS_COALESCING, true);
    }

    @Override
    public void read(InputFile in, RecordSink sink, DataStats stats) {
        String site = site(in.path());
        LineReader lines = new LineReader(in);
        while (lines.next()) {
            if (lines.tooLong()) {
                stats.countRead(DataStats.Unit.RECORDS);
                stats.skip(DataStats.Unit.RECORDS, SkipReason.LINE_TOO_LONG, in.name(), lines.lineNumber());
                continue;
            }
            String line;
            try {
                line = lines.text().strip();
            } catch (CharacterCodingException e) {
                stats.countRead(DataStats.Unit.RECORDS);
                stats.skip(DataStats.Unit.RECORDS, SkipReason.INVALID_UTF8, in.name(), lines.lineNumber(), "not UTF-8");
                continue;
            }
            if (line.startsWith("\uFEFF")) line = line.substring(1);
            if (line.isEmpty() || line.startsWith("<?xml") || line.equals("<posts>") || line.equals("</posts>")) {
                continue; // document structure
            }
            stats.countRead(DataStats.Unit.RECORDS);
            try {
                row(line, site, in.name(), lines.lineNumber(), sink);
            } catch (BadRecord bad) {
                stats.skip(DataStats.Unit.RECORDS, bad.reason, in.name(), lines.lineNumber(), bad.getMessage());
            }
        }
    }

    static String site(Path path) {
        String name = path.getFileName().toString();
        if (name.equalsIgnoreCase("Posts.xml") || name.toLowerCase().startsWith("posts.xml.")) {
            Path parent = path.toAbsolutePath().getParent();
            return parent == null || parent.getFileName() == null ? "stackexchange" : parent.getFileName().toString();
        }
        int us = name.indexOf('_');
        if (us > 0) return name.substring(0, us);
        int dot = name.toLowerCase().indexOf(".xml");
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private void row(String line, String site, String file, long lineNo, RecordSink sink) throws BadRecord {
        XMLStreamReader r = null;
        try {
            // The wrapper element lets a line hold a single row without the document around it.
            r = xml.createXMLStreamReader(new StringReader("<posts>" + line + "</posts>"));
            int rows = 0;
            while (r.hasNext()) {
                if (r.next() == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals("row")) {
                    if (rows++ > 0) throw new BadRecord(SkipReason.INVALID_XML, "several rows on one line");
                    deliver(r, site, file, lineNo, sink);
                }
            }
            if (rows == 0) throw new BadRecord(SkipReason.INVALID_XML, "no <row/> element");
        } catch (XMLStreamException e) {
            String m = e.getMessage() == null ? "malformed XML" : e.getMessage().replaceAll("\\s+", " ");
            int at = m.indexOf("Message: ");
            throw new BadRecord(SkipReason.INVALID_XML, Echo.of(at >= 0 ? m.substring(at + 9) : m));
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // a StringReader holds nothing to release
                }
            }
        }
    }

    private static void deliver(XMLStreamReader r, String site, String file, long line, RecordSink sink) throws BadRecord {
        String id = required(r, "Id");
        String type = required(r, "PostTypeId");
        switch (type) {
            case "1" -> {
                String threadId = site + "/" + id;
                String title = required(r, "Title");
                String body = Html.toText(attr(r, "Body", ""));
                String accepted = r.getAttributeValue(null, "AcceptedAnswerId");
                sink.post(new Post(threadId, site, PromptFormat.stackExchange(site, title.strip(), body), author(r),
                        integer(r, "Score"), time(r), false, false, false, true, List.of(),
                        accepted == null ? null : site + "/" + accepted, file, line));
            }
            case "2" -> {
                String threadId = site + "/" + required(r, "ParentId");
                // Whether the asker accepted it is stated on the question (AcceptedAnswerId): PostThread sets it.
                sink.comment(new Comment(site + "/" + id, threadId, threadId, Html.toText(attr(r, "Body", "")),
                        author(r), integer(r, "Score"), time(r), 0, false, file, line));
            }
            default -> throw new BadRecord(SkipReason.UNKNOWN_RECORD, "PostTypeId " + Echo.quote(type));
        }
    }

    /** Deleted users have no OwnerUserId, only OwnerDisplayName; -1 is the "Community" system user. */
    private static String author(XMLStreamReader r) {
        String user = r.getAttributeValue(null, "OwnerUserId");
        if ("-1".equals(user)) return "Community";
        if (user != null) return "user" + user;
        return r.getAttributeValue(null, "OwnerDisplayName");
    }

    private static String attr(XMLStreamReader r, String name, String dflt) {
        String v = r.getAttributeValue(null, name);
        return v == null ? dflt : v;
    }

    private static String required(XMLStreamReader r, String name) throws BadRecord {
        String v = r.getAttributeValue(null, name);
        if (v == null || v.isBlank()) throw BadRecord.missing(name);
        return v;
    }

    private static int integer(XMLStreamReader r, String name) throws BadRecord {
        String v = required(r, name);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw BadRecord.wrongType(name, "an integer", Echo.quote(v));
        }
    }

    /** CreationDate is ISO local time without a zone ("2023-07-17T19:24:01.893"); the dumps use UTC. */
    private static long time(XMLStreamReader r) throws BadRecord {
        String v = required(r, "CreationDate");
        try {
            return LocalDateTime.parse(v.trim()).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw BadRecord.wrongType("CreationDate", "an ISO date-time", Echo.quote(v));
        }
    }
}
