package plaudit.text;

import java.util.Arrays;

/** A growable {@code int[]}: token ids and word lists without boxing. */
final class IntList {
    private int[] items;
    private int size;

    IntList(int capacity) {
        items = new int[Math.max(4, capacity)];
    }

    void add(int x) {
        if (size == items.length) items = Arrays.copyOf(items, size * 2);
        items[size++] = x;
    }

    void addAll(int[] xs) {
        if (size + xs.length > items.length) items = Arrays.copyOf(items, Math.max(size * 2, size + xs.length));
        System.arraycopy(xs, 0, items, size, xs.length);
        size += xs.length;
    }

    void clear() {
        size = 0;
    }

    int get(int i) {
        return items[i];
    }

    int size() {
        return size;
    }

    int last() {
        return items[size - 1];
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
