package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import plaudit.model.LoraSettings;
import plaudit.model.ScoreModel;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;

/** {@code plaudit ppo}: optimise the SFT policy against the reward model with a KL penalty. */
@Command(name = "ppo", mixinStandardHelpOptions = true,
        description = {"PPO against a reward model with a per-token KL penalty to the SFT model (fixed β, or "
                + "Ziegler's adaptive controller with --adaptive-kl).",
                "Writes OUT/metrics.csv (TRL metric names), OUT/samples.csv, OUT/checkpoint/ every "
                        + "--checkpoint-every steps (resume with --resume) and OUT/ppo.svg.",
                "With --lora-rank the SFT folder is loaded once: the policy is it with adapters, the reference it "
                        + "without, the value function a head with adapters of its own on it (and the reward model too "
                        + "when train-rm trained adapters on the same SFT folder); OUT/checkpoint/ holds the merged "
                        + "policy, OUT/adapter/ its adapters in PEFT's format."})
public final class PpoCommand extends ModelCommand<PpoConfig> {
    @Mixin
    PolicyRunOptions io;
    @Mixin
    LoraOptions lora;

    public PpoCommand() {
        super(PpoConfig.SETTINGS, PpoConfig.SEED);
    }

    @Override
    public Integer call() throws Exception {
        PpoConfig cfg = config();
        var dev = run.device();
        try (PolicyModels m = PolicyModels.load(io, dev, lora, run.seed()); ScoreModel value = value(m, cfg)) {
            PpoTrainer ppo = new PpoTrainer(m.policy(), m.ref(), value, m.scorer(cfg.responseLength()), m.gold(), m.turns(),
                    m.prompts(), cfg);
            PolicyRunCli.train("ppo", "PPO: reward, KL and gold", ppo, io, cfg.steps());
            LoraOptions.writeAdapter(m.policy(), io.stage.out, io.sft.dir);
        }
        return 0;
    }

    /**
     * The value function: none with a shared trunk (the trainer puts a head on the policy); with LoRA a head with
     * adapters of its own on the policy's base ({@link LoraScoreModels#value}, adapters drawn apart from the
     * policy's); else a copy of the reward model.
     */
    ScoreModel value(PolicyModels m, PpoConfig cfg) {
        if (cfg.sharedTrunk()) return null;
        LoraSettings settings = lora.settings();
        return settings.enabled() ? LoraScoreModels.value(io.rm, io.sft.dir, m.ref(), settings, run.seed() + 1)
                : io.rewardModel(run.device());
    }
}
