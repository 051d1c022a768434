package plaudit.data.source;

import plaudit.data.SkipReason;

/** One unusable record: caught per record, counted under its reason, and reading goes on. */
final class BadRecord extends Exception {
    final SkipReason reason;

    BadRecord(SkipReason reason, String detail) {
        super(detail, null, false, false); // no stack trace: this is control flow for bad data, not a bug
        this.reason = reason;
    }

    static BadRecord missing(String field) {
        return new BadRecord(SkipReason.MISSING_FIELD, field);
    }

    static BadRecord wrongType(String field, String expected, String got) {
        return new BadRecord(SkipReason.WRONG_TYPE, field + ": expected " + expected + ", got " + got);
    }
}
