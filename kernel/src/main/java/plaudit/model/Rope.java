package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embedding (Su et al. 2021) as Hugging Face's Llama code applies it: frequencies
 * {@code inv_freq[i] = 1 / rope_theta^(2i / head_dim)}, optionally rescaled by Llama 3.1's {@code rope_scaling} of
 * type {@code llama3}; angles {@code position · inv_freq} concatenated twice ({@code cat(freqs, freqs)}), so that
 * dimension {@code j} pairs with {@code j + head_dim/2} (the halves, not interleaved pairs).
 */
final class Rope {

    /**
     * Llama 3.1's frequency-dependent scaling: wavelengths longer than {@code original / low_freq_factor} are
     * stretched by {@code factor}, shorter than {@code original / high_freq_factor} kept, and those between
     * interpolated smoothly.
     */
    record Llama3Scaling(double factor, double lowFreqFactor, double highFreqFactor, double originalMaxPositionEmbeddings) {
    }

    private final float[] invFreq;

    Rope(int headDim, double theta, Llama3Scaling scaling) {
        int half = headDim / 2;
        invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            // HF computes theta^(2i/d) in float32: the exponent is a float32 quotient
            float exponent = (float) (2 * i) / headDim;
            invFreq[i] = (float) (1.0 / Math.pow(theta, exponent));
        }
        if (scaling != null) scale(invFreq, scaling);
    }

    private static void scale(float[] invFreq, Llama3Scaling s) {
        double lowFreqWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highFreqWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        for (int i = 0; i < invFreq.length; i++) {
            double f = invFreq[i];
            double wavelen = 2 * Math.PI / f;
            if (wavelen > lowFreqWavelen) {
                f = f / s.factor();
            } else if (wavelen >= highFreqWavelen) {
                double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                f = (1 - smooth) * f / s.factor() + smooth * f;
            }
            invFreq[i] = (float) f;
        }
    }

    /** The (possibly scaled) frequencies, one per pair of dimensions. */
    float[] invFreq() {
        return invFreq.clone();
    }

    /**
     * {@code [cos, sin]}, each {@code [B or 1, 1, T, head_dim]} (broadcast over heads), of int64 positions
     * {@code [B or 1, T]}: each row its own, as left-padded rows need (their first token sits at position 0). The
     * angles are float32 products, as HF's matmul of positions and {@code inv_freq}; owned by the positions' manager.
     */
    NDArray[] cosSin(NDArray positions) {
        NDArray frequencies = positions.getManager().create(invFreq);
        NDArray angles = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(frequencies); // [B, T, half]
        NDArray both = angles.concat(angles, -1).expandDims(1);                                   // [B, 1, T, dim]
        return new NDArray[] {both.cos(), both.sin()};
    }

    /** {@code x·cos + rotate_half(x)·sin} with {@code rotate_half(x) = cat(−x[half:], x[:half])}; x is {@code [..., T, head_dim]}. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        int last = x.getShape().dimension() - 1;
        var halves = x.split(2, last);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), last);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
