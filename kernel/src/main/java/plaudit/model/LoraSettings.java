package plaudit.model;

import plaudit.Echo;
import plaudit.Setting;
import plaudit.Settings;
import plaudit.UserError;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * LoRA as a user asks for it, for any trainer: rank (0 = off, every weight trains), alpha, dropout and the targeted
 * modules. Each setting is defined once, by its constant below ({@code lora_rank}, {@code --lora-rank}, the DSL's
 * {@code lora { rank = 8 }}); {@link #SETTINGS} is what the CLI and the DSL read. {@link #config} turns them into
 * PEFT's {@link LoraConfig} for one base model's family.
 *
 * @param targets comma-separated module names ({@code q_proj,v_proj}) or {@value #ALL_LINEAR}
 */
public record LoraSettings(int rank, double alpha, double dropout, String targets) {
    /** PEFT's shorthand for every linear projection of the decoder layers (the output head excluded). */
    public static final String ALL_LINEAR = "all-linear";

    public static final Setting<Integer> RANK = Setting.of("rank", 0,
                    "LoRA rank r: train low-rank adapters of this rank on a frozen base; 0 = off (train every weight)")
            .check(v -> v >= 0, ">= 0 (0 = off)").key("lora_rank").option("--lora-rank");
    /**
     * Fixed rather than tied to the rank: Hu et al. (2021, §4.1) set alpha once and keep it when changing r, since
     * with Adam tuning alpha is like tuning the learning rate. 16 is 2 × r at r = 8, the ratio of TRL's defaults
     * (r 16, alpha 32) and of the usual recipes; PEFT's own default, 8, scales an r = 8 update by 1 only.
     */
    public static final Setting<Double> ALPHA = Setting.of("alpha", 16.0,
                    "LoRA alpha: the adapters' update is scaled by alpha / rank")
            .check(v -> v > 0, "> 0").key("lora_alpha").option("--lora-alpha");
    /**
     * TRL's default ({@code ModelConfig.lora_dropout}, with r 16 and alpha 32; QLoRA used 0.05 to 0.1). It acts only
     * where a trainer runs the model in training mode: SFT and the DPO policy do, while PPO and RLOO score the policy
     * without dropout, so that the ratio of new to old log-probabilities starts at 1 (TRL's DPO also turns dropout
     * off by default, {@code disable_dropout}; {@code --lora-dropout 0} matches it).
     */
    public static final Setting<Double> DROPOUT = Setting.of("dropout", 0.05,
                    "LoRA dropout on the adapters' input while training")
            .check(v -> v >= 0 && v < 1, "in [0, 1)").key("lora_dropout").option("--lora-dropout");
    /**
     * Every linear projection by default: QLoRA (Dettmers et al. 2023, §4) found LoRA on all linear layers of the
     * transformer blocks necessary to match full fine-tuning, where PEFT's older per-model default (q_proj, v_proj
     * for Llama) falls short. {@code all-linear} is PEFT's own shorthand for it and names the same thing for every
     * family (GPT-2 has no q_proj).
     */
    public static final Setting<String> TARGETS = Setting.of("targets", ALL_LINEAR,
                    "Modules to adapt, comma-separated (q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj for "
                            + "Llama and Qwen; c_attn,c_proj,c_fc for GPT-2) or all-linear")
            .check((v, all) -> problem(v) == null, all -> problem((String) all.get("targets")))
            .key("lora_targets").option("--lora-targets");

    public static final Settings<LoraSettings> SETTINGS = Settings.of(LoraSettings.class, "lora");

    public LoraSettings {
        SETTINGS.validate(rank, alpha, dropout, targets);
    }

    public static LoraSettings defaults() {
        return SETTINGS.defaults();
    }

    /** Whether LoRA is on (rank > 0). */
    public boolean enabled() {
        return rank > 0;
    }

    /**
     * PEFT's config for a base of {@code modelType}: {@code all-linear} becomes the family's projections; a target
     * the family does not have is refused naming it. Only when {@link #enabled}.
     */
    public LoraConfig config(String modelType) {
        if (!enabled()) throw new IllegalStateException("lora_rank is 0: LoRA is off");
        List<String> family = LoraModules.names(modelType);
        List<String> names = targets.strip().equals(ALL_LINEAR) ? family : split(targets);
        for (String t : names) {
            if (!family.contains(t)) {
                throw new UserError("lora: lora_targets = " + targets + " is invalid for a " + modelType + " model: it has"
                        + " no " + Echo.quote(t) + "; use " + String.join(",", family) + " or " + ALL_LINEAR);
            }
        }
        return new LoraConfig(rank, alpha, dropout, names);
    }

    /**
     * {@code base} itself when LoRA is off, else a {@link LoraLm} view on it with fresh adapters (A drawn from
     * {@code seed}); the caller closes the view before the base.
     */
    public CausalLm apply(CausalLm base, long seed) {
        return enabled() ? LoraLm.init(base, config(base.modelType()), seed) : base;
    }

    private static List<String> split(String targets) {
        List<String> names = new ArrayList<>();
        for (String t : targets.split(",", -1)) names.add(t.strip());
        return names;
    }

    /** What is wrong with {@code targets}, naming the bad entry, or null when it is a valid list. */
    private static String problem(String targets) {
        String known = "module names such as q_proj,v_proj or c_attn, or " + ALL_LINEAR;
        if (targets == null) return known;
        if (targets.strip().equals(ALL_LINEAR)) return null;
        Set<String> seen = new HashSet<>();
        for (String t : split(targets)) {
            if (t.isEmpty()) return known + "; an entry is empty";
            if (t.equals(ALL_LINEAR)) return known + "; " + ALL_LINEAR + " stands alone";
            if (Stream.of(LoraConfig.LLAMA_MODULES, LoraConfig.GPT2_MODULES).noneMatch(l -> l.contains(t))) {
                return known + "; " + Echo.quote(t) + " is not a module LoRA can adapt";
            }
            if (!seen.add(t)) return known + "; " + Echo.quote(t) + " is named twice";
        }
        return null;
    }
}
