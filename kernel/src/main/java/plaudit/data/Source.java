package plaudit.data;

import plaudit.UserError;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The kinds of input {@code plaudit pairs --source} reads. */
public enum Source {
    /** Pushshift Reddit dumps, submissions (RS_*) and comments (RC_*), NDJSON, plain or .zst. */
    REDDIT("reddit"),
    /** Stanford Human Preferences JSONL: ready comparisons with scores. */
    SHP("shp"),
    /** A Stack Exchange data dump's Posts.xml: questions and their answers with scores. */
    STACKEXCHANGE("stackexchange"),
    /** Hacker News API items: comments have no score, their order in the parent's {@code kids} is the ranking. */
    HN("hn"),
    /** Chosen/rejected JSONL (HH-RLHF transcripts, or prompt/chosen/rejected such as this tool's own output). */
    PAIRS("pairs"),
    /** Any CSV or JSONL with a column mapping ({@code --map thread=…,parent=…,text=…,score=…,time=…}). */
    CSV("csv");

    private final String key;

    Source(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** Sources whose comment "scores" are display ranks, not votes: the minimum comment score does not apply. */
    public boolean ranked() {
        return this == HN;
    }

    public static Source of(String key) {
        for (Source s : values()) if (s.key.equalsIgnoreCase(key)) return s;
        throw new UserError("unknown source '" + key + "': expected one of "
                + Arrays.stream(values()).map(Source::key).collect(Collectors.joining(", ")));
    }
}
