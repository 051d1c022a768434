package plaudit.worker;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request body read to at most a limit, however it is sent: a declared {@code Content-Length} over the limit is
 * refused before a byte is read, and any body (chunked ones declare no length) is read only up to one byte past the
 * limit, so a client can make the worker hold no more than that.
 */
final class BoundedBody {
    private BoundedBody() {
    }

    /** A body over the limit: answered 413. */
    static final class TooLarge extends RuntimeException {
        TooLarge(long limit) {
            super("the request body is over the limit of " + limit + " bytes (" + (limit >> 10)
                    + " KiB); a spec and a reward source take a few kilobytes");
        }
    }

    /**
     * @param declaredLength the request's {@code Content-Length}, or -1 when it has none (chunked)
     * @throws TooLarge once the body is known to be longer than {@code limit}
     */
    static byte[] read(InputStream in, long declaredLength, int limit) throws IOException {
        if (declaredLength > limit) throw new TooLarge(limit);
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) throw new TooLarge(limit);
        return body;
    }
}
