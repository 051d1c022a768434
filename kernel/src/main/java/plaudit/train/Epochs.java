package plaudit.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Minibatches drawn without replacement: each epoch visits every item once, in a fresh {@link Permutation}, and a
 * batch that crosses an epoch's end continues in the next one. The position (order and cursor) is a function of the
 * number of items drawn from a seeded stream, so a resumed run reaches it again by drawing as many.
 */
public final class Epochs {
    private final int n;
    private int[] order;
    private int cursor;

    public Epochs(int n) {
        this.n = n;
    }

    /** The next {@code size} items of {@code items} (whose size is this sampler's n). */
    public <T> List<T> batch(List<T> items, int size, SplittableRandom rng) {
        List<T> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            if (order == null || cursor == order.length) {
                order = Permutation.of(n, rng);
                cursor = 0;
            }
            batch.add(items.get(order[cursor++]));
        }
        return batch;
    }
}
