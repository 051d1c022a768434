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
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code plaudit ppo}: optimise the SFT policy against the reward model with a KL penalty. */
@Command(name = "ppo", mixinStandardHelpOptions = true,
        description = {"PPO against a reward model with a per-token KL penalty to the SFT model (fixed β, or "
                + "Ziegler's adaptive controller with --adaptive-kl).",
                "Writes OUT/metrics.csv (TRL metric names), OUT/samples.csv, OUT/checkpoint/ every "
                        + "--checkpoint-every steps (resume with --resume) and OUT/ppo.svg."})
public final class PpoCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Mixin
    PolicyRunOptions io;
    private final SettingOptions<PpoConfig> settings = new SettingOptions<>(PpoConfig.SETTINGS);
    /** One option per PPO setting that has one (--steps, --batch, --lr, --adaptive-kl, …), defaults from PpoConfig. */
    @Mixin
    CommandSpec ppoOptions = settings.spec();

    @Override
    public Integer call() throws Exception {
        PpoConfig cfg = config();
        var dev = run.device();
        Checkpoint sftCkpt = Checkpoint.read(io.sft);
        Tokenizer tok = sftCkpt.tokenizer();
        List<String> prompts = io.trainPrompts();
        PolicyRunCli.checkResumable(io);
        try (Gpt ref = sftCkpt.model(dev);
             Gpt policy = sftCkpt.model(dev);
             ScoreModel reward = ScoreModel.load(Checkpoint.read(io.rm), dev);
             ScoreModel value = cfg.sharedTrunk() ? null : ScoreModel.load(Checkpoint.read(io.rm), dev)) {
            PpoTrainer ppo = new PpoTrainer(policy, ref, value, Recipe.scorer(reward, tok, cfg.responseLength()),
                    io.gold ? new GoldPreference() : null, tok, prompts, cfg);
            PolicyRunCli.train("ppo", "PPO: reward, KL and gold", ppo, io, cfg.steps());
        }
        return 0;
    }

    /** The PPO config the options give (the seed from --seed). */
    public PpoConfig config() {
        return settings.config(PpoConfig.SETTINGS.builder().set(PpoConfig.SEED, run.seed()));
    }
}
