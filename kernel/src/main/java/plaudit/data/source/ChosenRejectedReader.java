package plaudit.data.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import plaudit.data.DataStats;
import plaudit.data.Hash64;
import plaudit.data.PreferencePair;
import plaudit.data.SkipReason;
import plaudit.data.io.InputFile;

/**
 * Chosen/rejected JSONL. Two shapes:
 * <ul>
 * <li>HH-RLHF transcripts {@code {"chosen": "\n\nHuman: …\n\nAssistant: …", "rejected": …}}: the shared prefix up to
 *     and including the last {@code "\n\nAssistant:"} both share becomes the prompt (leading newlines dropped), the
 *     rest of each transcript the response. Transcripts that differ before their final Assistant turn are skipped:
 *     the two responses would answer different conversations.</li>
 * <li>Explicit {@code {"prompt", "chosen", "rejected"}} (optionally {@code score_chosen, score_rejected, thread_id},
 *     as this tool writes them): used as given, so comparison files can be re-filtered.</li>
 * </ul>
 * Without a thread id, the thread is the prompt (its hash), so repeated prompts stay in one split.
 */
public final class ChosenRejectedReader implements SourceReader {
    static final String ASSISTANT = "\n\nAssistant:";
    static final String HUMAN = "\n\nHuman:";

    @Override
    public void read(InputFile in, RecordSink sink, DataStats stats) {
        JsonRecords.forEachLine(in, stats, (o, line) -> sink.pair(pair(o, in.name(), line)));
    }

    private static PreferencePair pair(ObjectNode o, String file, long line) throws BadRecord {
        String chosen = JsonRecords.text(o, "chosen");
        String rejected = JsonRecords.text(o, "rejected");
        String prompt = JsonRecords.optText(o, "prompt");
        if (prompt == null) {
            int common = commonPrefix(chosen, rejected);
            int cut = chosen.lastIndexOf(ASSISTANT, common - ASSISTANT.length());
            if (cut < 0) throw new BadRecord(SkipReason.NO_SHARED_PROMPT, "no shared \"Assistant:\" turn");
            int end = cut + ASSISTANT.length();
            prompt = chosen.substring(0, end).stripLeading();
            chosen = chosen.substring(end);
            rejected = rejected.substring(end);
            if (chosen.contains(HUMAN) || rejected.contains(HUMAN)) {
                throw new BadRecord(SkipReason.DIFFERS_BEFORE_LAST_TURN, "responses span several turns");
            }
        }
        double scoreChosen = optNumber(o, "score_chosen");
        double scoreRejected = optNumber(o, "score_rejected");
        String threadId = JsonRecords.optText(o, "thread_id");
        if (threadId == null) threadId = "pairs/" + Long.toHexString(Hash64.of(prompt));
        return new PreferencePair(prompt, chosen.stripTrailing(), rejected.stripTrailing(), scoreChosen, scoreRejected,
                PreferencePair.UNKNOWN_TIME, PreferencePair.UNKNOWN_TIME, threadId, "", file, line);
    }

    private static double optNumber(ObjectNode o, String field) throws BadRecord {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? Double.NaN : JsonRecords.number(field, n);
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) i++;
        return i;
    }
}
