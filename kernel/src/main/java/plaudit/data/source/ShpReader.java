package plaudit.data.source;

import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.data.DataStats;
import plaudit.data.PreferencePair;
import plaudit.data.PromptFormat;
import plaudit.data.io.InputFile;

import java.util.regex.Pattern;

/**
 * Stanford Human Preferences (SHP) JSONL, one comparison per line: {@code post_id, domain, history, c_root_id_A/B,
 * created_at_utc_A/B, score_A/B, human_ref_A/B, labels, seconds_difference, score_ratio}. {@code labels} is 1 when A
 * is preferred. The thread id is {@code t3_<post_id>}, the same as the Reddit reader's, so a thread read from both
 * sources lands in the same split. SHP's derived fields (seconds_difference, score_ratio) are recomputed by the
 * builder from the scores and times, so they are not read.
 */
public final class ShpReader implements SourceReader {
    /** SHP's domain is "{subreddit}_{split}". */
    private static final Pattern SPLIT_SUFFIX = Pattern.compile("_(train|validation|test|dev)$");

    @Override
    public void read(InputFile in, RecordSink sink, DataStats stats) {
        JsonRecords.forEachLine(in, stats, (o, line) -> sink.pair(pair(o, in.name(), line)));
    }

    private static PreferencePair pair(ObjectNode o, String file, long line) throws BadRecord {
        String postId = JsonRecords.id(o, "post_id");
        String subreddit = SPLIT_SUFFIX.matcher(JsonRecords.text(o, "domain")).replaceFirst("");
        String history = JsonRecords.text(o, "history").strip();
        String a = JsonRecords.text(o, "human_ref_A").strip();
        String b = JsonRecords.text(o, "human_ref_B").strip();
        int label = JsonRecords.integer(o, "labels");
        if (label != 0 && label != 1) throw BadRecord.wrongType("labels", "0 or 1", String.valueOf(label));
        double scoreA = JsonRecords.number(o, "score_A");
        double scoreB = JsonRecords.number(o, "score_B");
        long timeA = JsonRecords.epochSeconds(o, "created_at_utc_A");
        long timeB = JsonRecords.epochSeconds(o, "created_at_utc_B");
        String prompt = PromptFormat.shp(subreddit, history);
        String threadId = postId.startsWith("t3_") ? postId : "t3_" + postId;
        return label == 1
                ? new PreferencePair(prompt, a, b, scoreA, scoreB, timeA, timeB, threadId, subreddit, file, line)
                : new PreferencePair(prompt, b, a, scoreB, scoreA, timeB, timeA, threadId, subreddit, file, line);
    }
}
