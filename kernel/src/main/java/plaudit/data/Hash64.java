package plaudit.data;

/**
 * A stable 64-bit string hash (FNV-1a over UTF-16 units, then a SplitMix64 finaliser so that close strings land far
 * apart). Unlike {@link String#hashCode()} it is wide enough for de-duplicating millions of comparisons, and unlike
 * a random-seeded hash it is the same in every run and JVM, which the split assignment needs.
 */
public final class Hash64 {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Hash64() {
    }

    public static long of(String s) {
        return mix(update(FNV_OFFSET, s));
    }

    /** Hash of several strings, with a separator so that ("ab","c") and ("a","bc") differ. */
    public static long of(String... parts) {
        long h = FNV_OFFSET;
        for (String p : parts) {
            h = update(h, p);
            h = (h ^ 0x1f) * FNV_PRIME;
        }
        return mix(h);
    }

    private static long update(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= FNV_PRIME;
        }
        return h;
    }

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
