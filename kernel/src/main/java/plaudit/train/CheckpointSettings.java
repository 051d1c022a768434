package plaudit.train;

import plaudit.Setting;
import plaudit.Settings;
import plaudit.model.CausalLm;
import plaudit.model.LoraConfig;
import plaudit.model.LoraLm;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The settings of a run that its checkpoints record and a resumed run must repeat: a resumed run is meant to compute
 * what the interrupted run would have, so a changed learning rate, batch or seed is refused, not silently mixed in.
 * A config with {@link Setting} constants ({@link Settings}) records every setting and lets those marked
 * {@linkplain Setting#mayChangeOnResume differ}; a plain config record (the supervised trainers') records every
 * component, nested records included, and lets none differ.
 */
public final class CheckpointSettings {
    private final Map<String, String> values;
    private final Function<Map<String, String>, List<String>> changed;
    private final int steps;
    private final String stepsName;

    private CheckpointSettings(Map<String, String> values, Function<Map<String, String>, List<String>> changed,
                               int steps, String stepsName) {
        this.values = values;
        this.changed = changed;
        this.steps = steps;
        this.stepsName = stepsName;
    }

    /** The settings of {@code config}, a config with a {@code steps} setting. */
    public static <C extends Record> CheckpointSettings of(Settings<C> settings, C config) {
        Setting<?> steps = settings.list().stream().filter(s -> s.name().equals("steps")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(config.getClass().getSimpleName() + " has no steps"));
        return new CheckpointSettings(settings.texts(config), recorded -> settings.changedOnResume(recorded, config),
                (Integer) settings.values(config).get("steps"), steps.option() != null ? steps.option() : "steps");
    }

    /** The components of {@code config}, a record with an {@code int steps} component, as {@code name} or {@code outer.inner}. */
    public static CheckpointSettings of(Record config) {
        Map<String, String> values = components(config, "");
        if (!values.containsKey("steps")) throw new IllegalArgumentException(config.getClass().getSimpleName() + " has no steps");
        return new CheckpointSettings(values, recorded -> {
            List<String> changed = new ArrayList<>();
            values.forEach((name, now) -> {
                String was = recorded.get(name);
                if (!now.equals(was)) changed.add(name + " was " + (was == null ? "not recorded" : was) + ", now " + now);
            });
            return changed;
        }, Integer.parseInt(values.get("steps")), "steps");
    }

    private static Map<String, String> components(Record r, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                Object v = c.getAccessor().invoke(r);
                if (v instanceof Record inner) out.putAll(components(inner, prefix + c.getName() + "."));
                else out.put(prefix + c.getName(), Setting.text(v));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * These settings and one more that may not change on resume, {@code name} = {@code value}; a checkpoint written
     * before it was recorded counts as having {@code unrecorded} (what every run did then).
     */
    public CheckpointSettings with(String name, String value, String unrecorded) {
        Map<String, String> more = new LinkedHashMap<>(values);
        more.put(name, value);
        return new CheckpointSettings(more, recorded -> {
            List<String> out = new ArrayList<>(changed.apply(recorded));
            String was = recorded.getOrDefault(name, unrecorded);
            if (!value.equals(was)) out.add(name + " was " + was + ", now " + value);
            return out;
        }, steps, stepsName);
    }

    /** These settings and whether prompts go through the chat template (a run before templates had none). */
    public CheckpointSettings withChatTemplate(boolean chatTemplate) {
        return with("chatTemplate", Boolean.toString(chatTemplate), "false");
    }

    /**
     * These settings and the adapters {@code model} trains: a {@link LoraLm}'s rank, alpha, dropout and target modules
     * (as PEFT's config holds them, so {@code all-linear} and the list it stands for are the same), or rank 0 for a
     * model that trains every weight (what a run before LoRA did). A checkpoint's trained tensors fit only the adapters
     * that wrote them, and other alpha or dropout would make its steps mean something else.
     */
    public CheckpointSettings withAdapters(CausalLm model) {
        Map<String, String> adapters = new LinkedHashMap<>();
        adapters.put("lora_rank", "0");
        if (model instanceof LoraLm lora) {
            LoraConfig c = lora.config();
            adapters.put("lora_rank", Integer.toString(c.r()));
            adapters.put("lora_alpha", Setting.text(c.loraAlpha()));
            adapters.put("lora_dropout", Setting.text(c.loraDropout()));
            adapters.put("lora_targets", String.join(",", c.targetModules()));
        }
        Map<String, String> more = new LinkedHashMap<>(values);
        more.putAll(adapters);
        return new CheckpointSettings(more, recorded -> {
            List<String> out = new ArrayList<>(changed.apply(recorded));
            // another rank (LoRA on or off included) says it all; the rest is compared between adapters of one rank
            String rankWas = recorded.getOrDefault("lora_rank", "0");
            if (!rankWas.equals(adapters.get("lora_rank"))) {
                out.add("lora_rank was " + rankWas + ", now " + adapters.get("lora_rank"));
                return out;
            }
            adapters.forEach((name, now) -> {
                String was = recorded.get(name);
                if (!name.equals("lora_rank") && !now.equals(was)) out.add(name + " was " + was + ", now " + now);
            });
            return out;
        }, steps, stepsName);
    }

    /** Every setting's value as text, by key: what {@code trainer_state.json} keeps under {@code settings}. */
    public Map<String, String> values() {
        return values;
    }

    /** The settings that differ from {@code recorded} and may not, as {@code --lr was 1e-5, now 2e-5}. */
    public List<String> changedFrom(Map<String, String> recorded) {
        return changed.apply(recorded);
    }

    /** The steps the run trains for. */
    public int steps() {
        return steps;
    }

    /** The option or name that sets {@link #steps} ({@code --steps}), for messages. */
    public String stepsName() {
        return stepsName;
    }
}
