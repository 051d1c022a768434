package plaudit;

/**
 * An error caused by the user's input (a missing file, a bad option, a malformed record), with a message that names
 * the input and says how to fix it. The CLI prints the message alone, without a stack trace.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
