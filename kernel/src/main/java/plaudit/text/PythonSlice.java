package plaudit.text;

import com.hubspot.jinjava.objects.collections.PyList;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.Node;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstRightValue;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Python's {@code sequence[start:stop:step]} on a list or a string, any part left out ({@code messages[::-1]} is
 * the list reversed): indices as Python's {@code slice.indices(len)} computes them, strings by code point.
 */
final class PythonSlice extends AstRightValue {
    private final AstNode base;
    private final AstNode start;
    private final AstNode stop;
    private final AstNode step;

    PythonSlice(AstNode base, AstNode start, AstNode stop, AstNode step) {
        this.base = base;
        this.start = start;
        this.stop = stop;
        this.step = step;
    }

    @Override
    public Object eval(Bindings bindings, ELContext context) {
        Object sequence = base.eval(bindings, context);
        Integer from = index(start, bindings, context), to = index(stop, bindings, context), by = index(step, bindings, context);
        if (sequence instanceof String s) {
            int[] codePoints = s.codePoints().toArray();
            StringBuilder out = new StringBuilder();
            for (int i : indices(codePoints.length, from, to, by)) out.appendCodePoint(codePoints[i]);
            return out.toString();
        }
        List<?> items;
        if (sequence instanceof List<?> list) items = list;
        else if (sequence instanceof Object[] array) items = Arrays.asList(array);
        else if (sequence instanceof Iterable<?> iterable) {
            List<Object> copy = new ArrayList<>();
            iterable.forEach(copy::add);
            items = copy;
        } else {
            throw new ELException(base + " is " + (sequence == null ? "undefined" : "not a sequence") + ", so it cannot be sliced");
        }
        List<Object> out = new ArrayList<>();
        for (int i : indices(items.size(), from, to, by)) out.add(items.get(i));
        return new PyList(out);
    }

    /** The positions {@code [from:to:by]} selects in a sequence of {@code length}; null parts are left out. */
    static int[] indices(int length, Integer from, Integer to, Integer by) {
        int step = by == null ? 1 : by;
        if (step == 0) throw new ELException("slice step cannot be zero");
        // as CPython's PySlice_AdjustIndices: clamp to [0, length] going forwards, to [-1, length - 1] going back
        int lower = step > 0 ? 0 : -1, upper = step > 0 ? length : length - 1;
        int first = from == null ? (step > 0 ? lower : upper) : clamp(from, length, lower, upper);
        int end = to == null ? (step > 0 ? upper : lower) : clamp(to, length, lower, upper);
        List<Integer> out = new ArrayList<>();
        for (int i = first; step > 0 ? i < end : i > end; i += step) out.add(i);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int clamp(int index, int length, int lower, int upper) {
        return index < 0 ? Math.max(index + length, lower) : Math.min(index, upper);
    }

    private static Integer index(AstNode node, Bindings bindings, ELContext context) {
        if (node == null) return null;
        Object value = node.eval(bindings, context);
        if (value == null) return null;
        if (value instanceof Long || value instanceof Integer) return Math.toIntExact(((Number) value).longValue());
        throw new ELException("slice indices must be integers or None, not " + value);
    }

    @Override
    public void appendStructure(StringBuilder b, Bindings bindings) {
        base.appendStructure(b, bindings);
        b.append('[');
        if (start != null) start.appendStructure(b, bindings);
        b.append(':');
        if (stop != null) stop.appendStructure(b, bindings);
        b.append(':');
        if (step != null) step.appendStructure(b, bindings);
        b.append(']');
    }

    @Override
    public String toString() {
        return "[::]";
    }

    @Override
    public int getCardinality() {
        return children().size();
    }

    @Override
    public Node getChild(int i) {
        return children().get(i);
    }

    private List<AstNode> children() {
        List<AstNode> children = new ArrayList<>(List.of(base));
        for (AstNode n : new AstNode[] {start, stop, step}) if (n != null) children.add(n);
        return children;
    }
}
