package plaudit;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of one config record, in the order of its components: each component has exactly one
 * {@link Setting} constant on the record, found by name (a component without one, or a constant without a component,
 * fails when the record class loads). Builds the record from defaults or from values by name, validates a record's
 * values (from its compact constructor) and reads them back, by component name or by the DSL's names.
 *
 * @param <C> the config record
 */
public final class Settings<C extends Record> {
    private final String what;
    private final List<Setting<?>> list = new ArrayList<>();
    private final Map<String, Setting<?>> byDsl = new LinkedHashMap<>();
    private final RecordComponent[] components;
    private final Constructor<C> constructor;

    private Settings(Class<C> type, String what) {
        this.what = what;
        this.components = type.getRecordComponents();
        Map<String, Setting<?>> declared = new HashMap<>();
        try {
            for (var f : type.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == Setting.class) {
                    Setting<?> s = (Setting<?>) f.get(null);
                    if (s == null) throw new IllegalStateException(type.getSimpleName() + "." + f.getName() + " is declared after its Settings");
                    declared.put(s.name(), s);
                }
            }
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                RecordComponent c = components[i];
                Setting<?> s = declared.remove(c.getName());
                if (s == null) throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + " has no Setting constant");
                if (s.type() != boxed(c.getType())) {
                    throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + " is " + c.getType() + " but its Setting holds " + s.type());
                }
                list.add(s);
                byDsl.put(s.dslName(), s);
                types[i] = c.getType();
            }
            if (!declared.isEmpty()) throw new IllegalStateException(type.getSimpleName() + ": settings without a component: " + declared.keySet());
            this.constructor = type.getDeclaredConstructor(types);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The settings of {@code type}, from its public static {@link Setting} constants (declare this after them);
     * {@code what} starts every error ({@code "ppo config"}).
     */
    public static <C extends Record> Settings<C> of(Class<C> type, String what) {
        return new Settings<>(type, what);
    }

    /** Every setting, in component order. */
    public List<Setting<?>> list() {
        return List.copyOf(list);
    }

    /** The setting the DSL calls {@code dslName}. */
    public Setting<?> byDsl(String dslName) {
        Setting<?> s = byDsl.get(dslName);
        if (s == null) throw new IllegalArgumentException(what + ": no setting " + dslName + "; known: " + byDsl.keySet());
        return s;
    }

    /**
     * Checks every setting, each with its own validation; call from the record's compact constructor with the
     * component values in order.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void validate(Object... values) {
        if (values.length != list.size()) throw new IllegalStateException(what + ": " + values.length + " values for " + list.size() + " settings");
        Map<String, Object> all = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) all.put(list.get(i).name(), values[i]);
        for (int i = 0; i < values.length; i++) ((Setting) list.get(i)).validate(what, values[i], all);
    }

    /** The record with every setting at its default. */
    public C defaults() {
        return builder().build();
    }

    /** A builder at the defaults. */
    public Builder<C> builder() {
        Map<String, Object> v = new LinkedHashMap<>();
        for (Setting<?> s : list) v.put(s.name(), s.defaultValue());
        return new Builder<>(this, v);
    }

    /** A builder starting from {@code config}. */
    public Builder<C> builder(C config) {
        return new Builder<>(this, values(config));
    }

    /** {@code config}'s values by component name, in order. */
    public Map<String, Object> values(C config) {
        Map<String, Object> v = new LinkedHashMap<>();
        try {
            for (RecordComponent c : components) v.put(c.getName(), c.getAccessor().invoke(config));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return v;
    }

    /**
     * What a checkpoint records of the run's {@code config}: every setting's value as a user writes it
     * ({@link Setting#text}), by key. Numbers are finite, so the text is exact.
     */
    public Map<String, String> texts(C config) {
        Map<String, String> t = new LinkedHashMap<>();
        values(config).forEach((name, value) -> t.put(byName(name).key(), Setting.text(value)));
        return t;
    }

    /**
     * The settings in which a run resumed with {@code config} differs from the run that recorded {@code recorded}
     * ({@link #texts}) and may not ({@link Setting#mayChangeOnResume}), each as {@code --lr was 1e-5, now 2e-5}
     * (the option, else the key); empty when it may resume.
     */
    public List<String> changedOnResume(Map<String, String> recorded, C config) {
        Map<String, Object> all = values(config);
        List<String> changed = new ArrayList<>();
        for (Setting<?> s : list) {
            String now = Setting.text(all.get(s.name()));
            String was = recorded.get(s.key());
            if (now.equals(was) || s.mayChangeOnResume(all)) continue;
            changed.add((s.option() != null ? s.option() : s.key()) + " was " + (was == null ? "not recorded" : was)
                    + ", now " + now);
        }
        return changed;
    }

    private Setting<?> byName(String name) {
        for (Setting<?> s : list) if (s.name().equals(name)) return s;
        throw new IllegalArgumentException(what + ": no setting " + name);
    }

    /** {@code config}'s values by the DSL's names, in order (mutable: a DSL builder reads and writes through it). */
    public Map<String, Object> dslValues(C config) {
        Map<String, Object> v = new LinkedHashMap<>();
        values(config).forEach((name, value) -> v.put(dslNameOf(name), value));
        return v;
    }

    /** The record from values by the DSL's names (as {@link #dslValues} gives them). */
    public C fromDsl(Map<String, ?> dslValues) {
        Map<String, Object> v = new LinkedHashMap<>();
        for (Setting<?> s : list) v.put(s.name(), dslValues.get(s.dslName()));
        return create(v);
    }

    /** The DSL's name of component {@code name}. */
    public String dslNameOf(String name) {
        for (Setting<?> s : list) if (s.name().equals(name)) return s.dslName();
        throw new IllegalArgumentException(what + ": no setting " + name);
    }

    private C create(Map<String, Object> byName) {
        Object[] args = new Object[list.size()];
        for (int i = 0; i < args.length; i++) args[i] = byName.get(list.get(i).name());
        try {
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Class<?> boxed(Class<?> c) {
        if (!c.isPrimitive()) return c;
        if (c == int.class) return Integer.class;
        if (c == long.class) return Long.class;
        if (c == double.class) return Double.class;
        if (c == boolean.class) return Boolean.class;
        throw new IllegalStateException("unsupported setting type " + c);
    }

    /** Values set one by one; {@link #build()} validates them together. */
    public static final class Builder<C extends Record> {
        private final Settings<C> settings;
        private final Map<String, Object> values;

        private Builder(Settings<C> settings, Map<String, Object> values) {
            this.settings = settings;
            this.values = values;
        }

        public <T> Builder<C> set(Setting<T> setting, T value) {
            if (!settings.list.contains(setting)) throw new IllegalArgumentException(settings.what + " has no setting " + setting);
            values.put(setting.name(), value);
            return this;
        }

        public C build() {
            return settings.create(values);
        }
    }
}
