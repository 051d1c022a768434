package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Products, quotients and maxima with a constant, safe to differentiate. DJL's {@code x.mul(0.5f)} wraps the constant
 * in a 0-d tensor over a Java direct buffer and closes it as soon as the op returns, but autograd keeps that tensor
 * for the backward pass ({@code ∂(x·c)/∂x = c}). Once the garbage collector frees the buffer, backward reads freed
 * memory: gradients changed whenever a collection ran between a forward and its backward (seeded runs stopped
 * repeating; a small heap made every run differ). Here the constant is a tensor PyTorch allocates itself, which
 * autograd's reference keeps alive.
 *
 * <p>Adding or subtracting a constant is safe with DJL's own {@code add(Number)}: its gradient does not read the
 * constant, so autograd does not keep it.
 */
public final class Scalar {
    private Scalar() {
    }

    /** {@code x · c}. */
    public static NDArray mul(NDArray x, double c) {
        try (NDArray s = of(x, c)) {
            return x.mul(s);
        }
    }

    /** {@code x / c}. */
    public static NDArray div(NDArray x, double c) {
        try (NDArray s = of(x, c)) {
            return x.div(s);
        }
    }

    /** {@code max(x, c)} elementwise. */
    public static NDArray maximum(NDArray x, double c) {
        try (NDArray s = of(x, c)) {
            return x.maximum(s);
        }
    }

    /** A 0-d tensor holding {@code c}, of {@code like}'s type, on its device, in memory PyTorch owns. */
    private static NDArray of(NDArray like, double c) {
        return like.getManager().full(new Shape(), (float) c, like.getDataType());
    }
}
