package plaudit.model;

/**
 * Bit conversions between float32 and the two 16-bit float formats that safetensors files use: IEEE 754 binary16
 * ({@code F16}) and bfloat16 ({@code BF16}, the top half of a float32). Java 17 has no {@code Float.float16ToFloat},
 * so these are written out; narrowing rounds to nearest, ties to even, like PyTorch's {@code .half()} and
 * {@code .bfloat16()}.
 */
final class HalfPrecision {
    private HalfPrecision() {
    }

    static float f16ToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {                       // infinity or NaN; the NaN payload moves to the top bits
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {                          // zero or subnormal: mantissa * 2^-24, exact in float32
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
    }

    static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {                       // infinity stays infinity; NaN stays a quiet NaN
            return (short) (sign | 0x7c00 | (mantissa == 0 ? 0 : 0x200 | (mantissa >>> 13)));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1f) return (short) (sign | 0x7c00);  // too large: overflow to infinity
        if (e <= 0) {                                 // subnormal half (or zero): keep 24 - (14 - e) bits
            int shift = 14 - e;
            if (shift > 24) return (short) sign;       // below half the smallest subnormal: rounds to zero
            int full = mantissa | 0x800000;
            return (short) (sign | roundShift(full, shift));
        }
        // normal: drop 13 mantissa bits; a carry out of the mantissa correctly bumps the exponent (up to infinity)
        return (short) (sign | ((e << 10 | (mantissa >>> 13)) + roundingCarry(mantissa, 13)));
    }

    static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {        // NaN: keep sign and top payload bits, force quiet
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits >>> 16) + roundingCarry(bits, 16));
    }

    /** {@code value >>> shift}, rounded to nearest with ties to even. */
    private static int roundShift(int value, int shift) {
        return (value >>> shift) + roundingCarry(value, shift);
    }

    /** 1 when dropping the low {@code shift} bits of {@code value} must round up (nearest, ties to even), else 0. */
    private static int roundingCarry(int value, int shift) {
        int dropped = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        int kept = value >>> shift;
        return dropped > half || (dropped == half && (kept & 1) == 1) ? 1 : 0;
    }
}
