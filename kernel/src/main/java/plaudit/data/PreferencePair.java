package plaudit.data;

/**
 * A comparison that a source already states (SHP rows, chosen/rejected transcripts), before the builder's rules.
 * Scores and times are optional: {@code NaN} and {@link #UNKNOWN_TIME} mark what the source does not give.
 */
public record PreferencePair(String prompt, String chosen, String rejected, double scoreChosen, double scoreRejected,
                             long timeChosen, long timeRejected, String threadId, String community,
                             String file, long line) {
    public static final long UNKNOWN_TIME = Long.MIN_VALUE;

    public boolean scored() {
        return !Double.isNaN(scoreChosen) && !Double.isNaN(scoreRejected);
    }

    public boolean timed() {
        return timeChosen != UNKNOWN_TIME && timeRejected != UNKNOWN_TIME;
    }
}
