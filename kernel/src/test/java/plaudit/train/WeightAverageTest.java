package plaudit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WeightAverageTest {

    /** Three iterates of two tensors: the mean is the arithmetic mean of each, and only copyInto changes the weights. */
    @Test
    void meanOfTheAddedIterates() {
        try (NDManager root = NDManager.newBaseManager("PyTorch")) {
            NDArray w = root.create(new float[] {1f, -2f, 4f});
            NDArray b = root.create(new float[] {10f});
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("w", w);
            params.put("b", b);
            WeightAverage avg = new WeightAverage(params);
            avg.copyInto();
            assertArrayEquals(new float[] {1f, -2f, 4f}, w.toFloatArray(), "nothing added yet: the weights stay");

            float[][] ws = {{1f, -2f, 4f}, {3f, 0f, -4f}, {5f, 5f, 3f}};
            float[] bs = {10f, 20f, 60f};
            for (int i = 0; i < 3; i++) {
                w.set(ws[i]);
                b.set(new float[] {bs[i]});
                avg.add();
            }
            assertEquals(3, avg.count());
            assertArrayEquals(new float[] {5f, 5f, 3f}, w.toFloatArray(), "add only reads the weights");
            avg.copyInto();
            assertArrayEquals(new float[] {3f, 1f, 1f}, w.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {30f}, b.toFloatArray(), 1e-5f);
        }
    }

    /** A mean restored in place with its count goes on as if never interrupted. */
    @Test
    void resumedAverageContinuesTheMean() {
        try (NDManager root = NDManager.newBaseManager("PyTorch")) {
            NDArray w = root.create(new float[] {2f, 4f});
            WeightAverage first = new WeightAverage(Map.of("w", w));
            first.add();
            w.set(new float[] {4f, 8f});
            first.add();
            float[] saved = first.tensors().get("w").toFloatArray();

            WeightAverage second = new WeightAverage(Map.of("w", w));
            second.tensors().get("w").set(saved);
            second.resumeAt(2);
            w.set(new float[] {9f, 0f});
            second.add();
            second.copyInto();
            assertArrayEquals(new float[] {5f, 4f}, w.toFloatArray(), 1e-6f);
        }
    }
}
