package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.ScoreModel;
import plaudit.sim.GoldPreference;
import plaudit.text.Tokenizer;
import plaudit.experiment.Recipe;
import plaudit.train.rloo.RlooConfig;
import plaudit.train.rloo.RlooTrainer;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code plaudit rloo}: REINFORCE with a leave-one-out baseline against the reward model, KL in the reward. */
@Command(name = "rloo", mixinStandardHelpOptions = true,
        description = {"RLOO (Ahmadian et al. 2024) against a reward model: k samples per prompt, reward = score − "
                + "β·KL(response ‖ SFT), advantage = reward − mean of the prompt's other k − 1 samples.",
                "Writes OUT/metrics.csv (TRL metric names), OUT/samples.csv, OUT/checkpoint/ every --checkpoint-every steps "
                        + "(the policy; resume with --resume) and OUT/rloo.svg."})
public final class RlooCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Mixin
    PolicyRunOptions io;
    private final SettingOptions<RlooConfig> settings = new SettingOptions<>(RlooConfig.SETTINGS);
    /** One option per RLOO setting that has one (--steps, --prompts, -k, --lr, …), defaults from RlooConfig. */
    @Mixin
    CommandSpec rlooOptions = settings.spec();

    @Override
    public Integer call() throws Exception {
        RlooConfig cfg = config();
        var dev = run.device();
        Checkpoint sftCkpt = Checkpoint.read(io.sft);
        Tokenizer tok = sftCkpt.tokenizer();
        List<String> promptList = io.trainPrompts();
        PolicyRunCli.checkResumable(io);
        try (Gpt ref = sftCkpt.model(dev);
             Gpt policy = sftCkpt.model(dev);
             ScoreModel reward = ScoreModel.load(Checkpoint.read(io.rm), dev)) {
            RlooTrainer rloo = new RlooTrainer(policy, ref, Recipe.scorer(reward, tok, cfg.responseLength()),
                    io.gold ? new GoldPreference() : null, tok, promptList, cfg);
            PolicyRunCli.train("rloo", "RLOO: reward, KL and gold", rloo, io, cfg.steps());
        }
        return 0;
    }

    /** The RLOO config the options give (the seed from --seed). */
    public RlooConfig config() {
        return settings.config(RlooConfig.SETTINGS.builder().set(RlooConfig.SEED, run.seed()));
    }
}
