package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import plaudit.train.rloo.RlooConfig;
import plaudit.train.rloo.RlooTrainer;

/** {@code plaudit rloo}: REINFORCE with a leave-one-out baseline against the reward model, KL in the reward. */
@Command(name = "rloo", mixinStandardHelpOptions = true,
        description = {"RLOO (Ahmadian et al. 2024) against a reward model: k samples per prompt, reward = score − "
                + "β·KL(response ‖ SFT), advantage = reward − mean of the prompt's other k − 1 samples.",
                "Writes OUT/metrics.csv (TRL metric names), OUT/samples.csv, OUT/checkpoint/ every --checkpoint-every steps "
                        + "(the policy; resume with --resume) and OUT/rloo.svg.",
                "With --lora-rank the SFT folder is loaded once: the policy is it with adapters, the reference it "
                        + "without (and the reward model too when train-rm trained adapters on the same SFT folder); "
                        + "OUT/checkpoint/ holds the merged policy, OUT/adapter/ its adapters in PEFT's format."})
public final class RlooCommand extends ModelCommand<RlooConfig> {
    @Mixin
    PolicyRunOptions io;
    @Mixin
    LoraOptions lora;

    public RlooCommand() {
        super(RlooConfig.SETTINGS, RlooConfig.SEED);
    }

    @Override
    public Integer call() throws Exception {
        RlooConfig cfg = config();
        try (PolicyModels m = PolicyModels.load(io, run.device(), lora, run.seed())) {
            RlooTrainer rloo = new RlooTrainer(m.policy(), m.ref(), m.scorer(cfg.responseLength()), m.gold(), m.turns(),
                    m.prompts(), cfg);
            PolicyRunCli.train("rloo", "RLOO: reward, KL and gold", rloo, io, cfg.steps());
            LoraOptions.writeAdapter(m.policy(), io.stage.out, io.sft.dir);
        }
        return 0;
    }
}
