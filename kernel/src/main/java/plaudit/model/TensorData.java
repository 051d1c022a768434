package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * A float32 tensor held on the Java heap: the form in which tensors travel between files and NDArrays. Values are
 * row-major; their bits are kept exactly (NaN payloads, -0.0, subnormals).
 *
 * @param shape  dimensions, outermost first ({@code []} for a scalar)
 * @param values {@code product(shape)} floats
 */
public record TensorData(long[] shape, float[] values) {

    public TensorData {
        shape = shape.clone();
        if (elementCount(shape) != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + elementCount(shape)
                    + " values, got " + values.length);
        }
    }

    /** Copies an NDArray of any floating type to the heap as float32 (from any device). */
    public static TensorData of(NDArray array) {
        DataType type = array.getDataType();
        if (!type.isFloating()) {
            throw new IllegalArgumentException("only floating-point tensors are stored as float32, got " + type);
        }
        float[] values = type == DataType.FLOAT32 ? array.toFloatArray() : toFloat32(array);
        return new TensorData(array.getShape().getShape(), values);
    }

    private static float[] toFloat32(NDArray array) {
        try (NDArray f32 = array.toType(DataType.FLOAT32, false)) {
            return f32.toFloatArray();
        }
    }

    /** A new float32 NDArray owned by {@code manager}, on the manager's device. */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(values, new Shape(shape));
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Index of the first NaN or infinite value, or -1 when every value is finite. */
    public int firstNonFinite() {
        for (int i = 0; i < values.length; i++) if (!Float.isFinite(values[i])) return i;
        return -1;
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Equal shapes and bit-identical values. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TensorData t)) return false;
        if (!Arrays.equals(shape, t.shape) || values.length != t.values.length) return false;
        for (int i = 0; i < values.length; i++) {
            if (Float.floatToRawIntBits(values[i]) != Float.floatToRawIntBits(t.values[i])) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "TensorData" + Arrays.toString(shape);
    }
}
