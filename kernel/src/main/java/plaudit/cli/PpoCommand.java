package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import plaudit.model.ScoreModel;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;

/** {@code plaudit ppo}: optimise the SFT policy against the reward model with a KL penalty. */
@Command(name = "ppo", mixinStandardHelpOptions = true,
        description = {"PPO against a reward model with a per-token KL penalty to the SFT model (fixed β, or "
                + "Ziegler's adaptive controller with --adaptive-kl).",
                "Writes OUT/metrics.csv (TRL metric names), OUT/samples.csv, OUT/checkpoint/ every "
                        + "--checkpoint-every steps (resume with --resume) and OUT/ppo.svg."})
public final class PpoCommand extends ModelCommand<PpoConfig> {
    @Mixin
    PolicyRunOptions io;

    public PpoCommand() {
        super(PpoConfig.SETTINGS, PpoConfig.SEED);
    }

    @Override
    public Integer call() throws Exception {
        PpoConfig cfg = config();
        var dev = run.device();
        try (PolicyModels m = PolicyModels.load(io, dev);
             ScoreModel value = cfg.sharedTrunk() ? null : io.rewardModel(dev)) {
            PpoTrainer ppo = new PpoTrainer(m.policy(), m.ref(), value, m.scorer(cfg.responseLength()), m.gold(), m.turns(),
                    m.prompts(), cfg);
            PolicyRunCli.train("ppo", "PPO: reward, KL and gold", ppo, io, cfg.steps());
        }
        return 0;
    }
}
