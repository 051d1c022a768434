package plaudit.data;

import plaudit.UserError;

/** The three dataset splits, named as their output files ({@code train.jsonl}, {@code val.jsonl}, {@code test.jsonl}). */
public enum Split {
    TRAIN("train"), VAL("val"), TEST("test");

    private final String key;

    Split(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static Split of(String key) {
        for (Split s : values()) if (s.key.equals(key)) return s;
        throw new UserError("unknown split '" + key + "': expected train, val or test");
    }
}
