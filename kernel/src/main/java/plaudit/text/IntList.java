package plaudit.text;

import java.util.Arrays;

/** A growable {@code int[]}: token ids and word lists without boxing. */
public final class IntList {
    private int[] items;
    private int size;

    public IntList(int capacity) {
        items = new int[Math.max(4, capacity)];
    }

    public void add(int x) {
        if (size == items.length) items = Arrays.copyOf(items, size * 2);
        items[size++] = x;
    }

    public void addAll(int[] xs) {
        if (size + xs.length > items.length) items = Arrays.copyOf(items, Math.max(size * 2, size + xs.length));
        System.arraycopy(xs, 0, items, size, xs.length);
        size += xs.length;
    }

    public void clear() {
        size = 0;
    }

    public int get(int i) {
        return items[i];
    }

    public int size() {
        return size;
    }

    public int last() {
        return items[size - 1];
    }

    public int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
