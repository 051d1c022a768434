package plaudit.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's reversible map between the 256 byte values and 256 printable Unicode characters ({@code bytes_to_unicode}
 * in OpenAI's encoder.py). Byte-level BPE vocabularies are written in these characters, so that every token is a
 * printable string: the 188 bytes that are already printable Latin-1 characters map to themselves, the other 68
 * (controls, space, soft hyphen, ...) map to U+0100 onwards in byte order, e.g. space (0x20) to 'Ġ' (U+0120).
 */
final class ByteUnicode {
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Inverse of {@link #BYTE_TO_CHAR}; -1 for characters that stand for no byte. */
    private static final int[] CHAR_TO_BYTE = new int[256 + 68];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteUnicode() {
    }

    /** The one-character token of a byte (0..255). */
    static String tokenOf(int unsignedByte) {
        return String.valueOf(BYTE_TO_CHAR[unsignedByte]);
    }

    /**
     * The bytes a token string stands for. A token with a character outside the map (possible only in a hand-made
     * vocabulary) stands for its own UTF-8 bytes, whole, as in the Hugging Face byte-level decoder.
     */
    static byte[] toBytes(String token) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) return token.getBytes(StandardCharsets.UTF_8);
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
