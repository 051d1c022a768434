package plaudit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of the positions a {@link CausalLm} has already seen (made by {@link CausalLm#newCache}), so that generation feeds only the
 * new token. Preallocated per layer as {@code [B, heads, capacity, head_size]} (a Llama caches its key/value heads, not
 * the query heads that share them) and written in place; {@link #length()} positions are filled. It also keeps the
 * attention mask of those positions ({@code [B, capacity]}, 1 = token, 0 = padding), so left-padded prompts stay
 * masked while decoding.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final NDArray mask;
    private final int batchSize;
    private final int capacity;
    private int length;

    /**
     * An empty cache of {@code layers} layers of {@code heads} key/value heads of {@code headSize}, under
     * {@code parent}; {@code limitName} and {@code limit} are the model's longest sequence, for the message.
     */
    KvCache(NDManager parent, int layers, int heads, int headSize, int batchSize, int capacity, String limitName,
            int limit) {
        if (batchSize <= 0 || capacity <= 0 || capacity > limit) {
            throw new IllegalArgumentException("cache of " + batchSize + " rows x " + capacity
                    + " positions; need positive sizes and capacity <= " + limitName + " " + limit);
        }
        this.manager = parent.newSubManager();
        this.batchSize = batchSize;
        this.capacity = capacity;
        Shape shape = new Shape(batchSize, heads, capacity, headSize);
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = manager.zeros(shape, DataType.FLOAT32);
            values[i] = manager.zeros(shape, DataType.FLOAT32);
        }
        this.mask = manager.zeros(new Shape(batchSize, capacity), DataType.FLOAT32);
    }

    /** Positions filled so far. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Writes the mask of {@code t} new positions; returns the mask of all {@code length + t}, owned by {@code step}. */
    NDArray appendMask(NDArray newMask, NDManager step) {
        int t = Math.toIntExact(newMask.getShape().get(1));
        if (newMask.getShape().get(0) != batchSize || length + t > capacity) {
            throw new IllegalArgumentException("cannot append " + newMask.getShape() + " to a cache of "
                    + batchSize + " rows holding " + length + " of " + capacity + " positions");
        }
        mask.set(NDIndex.sliceAxis(1, length, length + t), newMask);
        return mask.get(step, NDIndex.sliceAxis(1, 0, length + t));
    }

    /** Writes the new keys {@code [B, nh, t, hs]} of a layer; returns its keys of all positions, owned by k's manager. */
    NDArray appendKeys(int layer, NDArray k) {
        return append(keys[layer], k);
    }

    NDArray appendValues(int layer, NDArray v) {
        return append(values[layer], v);
    }

    private NDArray append(NDArray store, NDArray fresh) {
        long t = fresh.getShape().get(2);
        store.set(NDIndex.sliceAxis(2, length, length + t), fresh);
        return store.get(fresh.getManager(), NDIndex.sliceAxis(2, 0, length + t));
    }

    /** Called once all layers have appended their {@code t} new positions. */
    void advance(int t) {
        length += t;
    }

    @Override
    public void close() {
        manager.close();
    }
}
