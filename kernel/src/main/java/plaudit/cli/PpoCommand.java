package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import plaudit.data.Comparison;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.ScoreModel;
import plaudit.sim.GoldPreference;
import plaudit.text.Tokenizer;
import plaudit.reward.RewardModelScorer;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;

import java.nio.file.Path;
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
    @Option(names = "--sft", required = true, description = "SFT checkpoint: the initial policy and the frozen reference.")
    Path sft;
    @Option(names = "--rm", required = true, description = "Reward model checkpoint (output of train-rm); also initialises the value function.")
    Path rm;
    @Option(names = "--pairs", required = true, description = "Output directory of `plaudit pairs`: rollouts use its training prompts.")
    Path pairs;
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;
    private final SettingOptions<PpoConfig> settings = new SettingOptions<>(PpoConfig.SETTINGS);
    /** One option per PPO setting that has one (--steps, --batch, --lr, --adaptive-kl, …), defaults from PpoConfig. */
    @Mixin
    CommandSpec ppoOptions = settings.spec();
    @Option(names = "--gold", description = "The prompts come from the synthetic forum: log objective/gold too.")
    boolean gold;
    @Option(names = "--checkpoint-every", defaultValue = "20", description = "Checkpoint interval in steps (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--resume", description = "Continue from OUT/checkpoint (same options and seed).")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        PpoConfig cfg = config();
        var dev = run.device();
        Checkpoint sftCkpt = Checkpoint.read(sft);
        Tokenizer tok = sftCkpt.tokenizer();
        List<String> prompts = Comparison.prompts(PairsInput.read(pairs).train(), Integer.MAX_VALUE);
        PolicyRunCli.checkResumable(out, resume);
        try (Gpt ref = sftCkpt.model(dev);
             Gpt policy = sftCkpt.model(dev);
             ScoreModel reward = ScoreModel.load(Checkpoint.read(rm), dev);
             ScoreModel value = cfg.sharedTrunk() ? null : ScoreModel.load(Checkpoint.read(rm), dev)) {
            PpoTrainer ppo = new PpoTrainer(policy, ref, value, new RewardModelScorer(reward, tok, cfg.responseLength(), 32),
                    gold ? new GoldPreference() : null, tok, prompts, cfg);
            PolicyRunCli.train("ppo", "PPO: reward, KL and gold", ppo, out, cfg.steps(), checkpointEvery, resume);
        }
        return 0;
    }

    /** The PPO config the options give (the seed from --seed). */
    public PpoConfig config() {
        return settings.config(PpoConfig.builder().set(PpoConfig.SEED, run.seed()));
    }
}
