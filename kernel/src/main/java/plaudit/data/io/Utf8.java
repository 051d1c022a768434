package plaudit.data.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding. {@code new String(bytes, UTF_8)} turns every invalid byte into U+FFFD, so a damaged or
 * Latin-1 file would yield pairs with replacement characters in them, kept and uncounted; readers decode through
 * here instead and count such a record as a skip.
 */
public final class Utf8 {
    private static final ThreadLocal<CharsetDecoder> DECODER = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8
            .newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));

    private Utf8() {
    }

    public static String decode(byte[] b, int offset, int length) throws CharacterCodingException {
        for (int i = offset; i < offset + length; i++) {
            if (b[i] < 0) return DECODER.get().decode(ByteBuffer.wrap(b, offset, length)).toString();
        }
        return new String(b, offset, length, StandardCharsets.ISO_8859_1); // ASCII: nothing to check
    }
}
