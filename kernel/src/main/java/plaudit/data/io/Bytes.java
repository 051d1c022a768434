package plaudit.data.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte searches eight bytes at a time (SWAR: "SIMD within a register"). Reading hundreds of megabytes of JSON lines
 * is mostly looking for the next newline or the end of a string; testing a whole {@code long} per step makes those
 * scans several times faster than a byte loop. Little-endian loads put the first byte in the lowest bits, so the
 * lowest flagged bit is the first match (the classic zero-byte test can only over-report above a true match).
 */
public final class Bytes {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Bytes() {
    }

    /** Bit 7 of each byte of the result is set where {@code word} has a zero byte (exact for the lowest one). */
    private static long zeroBytes(long word) {
        return (word - ONES) & ~word & HIGHS;
    }

    /** First index of {@code v} in {@code b[from, to)}, or -1. */
    public static int indexOf(byte[] b, int from, int to, byte v) {
        long pattern = ONES * (v & 0xff);
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long hit = zeroBytes((long) LONGS.get(b, i) ^ pattern);
            if (hit != 0) return i + (Long.numberOfTrailingZeros(hit) >>> 3);
        }
        for (; i < to; i++) if (b[i] == v) return i;
        return -1;
    }

    /**
     * First index in {@code b[from, to)} of a byte that ends or complicates a JSON string: a quote, a backslash, a
     * control character (< 0x20) or a non-ASCII byte (>= 0x80); or {@code to} when there is none.
     */
    public static int indexOfStringSpecial(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long w = (long) LONGS.get(b, i);
            long hit = zeroBytes(w ^ (ONES * '"')) | zeroBytes(w ^ (ONES * '\\'))
                    | ((w - ONES * 0x20) & ~w & HIGHS) // bytes below 0x20 (among bytes below 0x80)
                    | (w & HIGHS);                      // bytes at or above 0x80
            if (hit != 0) return i + (Long.numberOfTrailingZeros(hit) >>> 3);
        }
        for (; i < to; i++) {
            int c = b[i] & 0xff;
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return i;
        }
        return to;
    }
}
