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
import plaudit.train.rloo.RlooConfig;
import plaudit.train.rloo.RlooTrainer;

import java.nio.file.Path;
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
    @Option(names = "--sft", required = true, description = "SFT checkpoint: the initial policy and the frozen reference.")
    Path sft;
    @Option(names = "--rm", required = true, description = "Reward model checkpoint (output of train-rm).")
    Path rm;
    @Option(names = "--pairs", required = true, description = "Output directory of `plaudit pairs`: rollouts use its training prompts.")
    Path pairs;
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;
    private final SettingOptions<RlooConfig> settings = new SettingOptions<>(RlooConfig.SETTINGS);
    /** One option per RLOO setting that has one (--steps, --prompts, -k, --lr, …), defaults from RlooConfig. */
    @Mixin
    CommandSpec rlooOptions = settings.spec();
    @Option(names = "--checkpoint-every", defaultValue = "20", description = "Checkpoint interval in steps (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--resume", description = "Continue from OUT/checkpoint (same options and seed).")
    boolean resume;
    @Option(names = "--gold", description = "The prompts come from the synthetic forum: log objective/gold too.")
    boolean gold;

    @Override
    public Integer call() throws Exception {
        RlooConfig cfg = config();
        var dev = run.device();
        Checkpoint sftCkpt = Checkpoint.read(sft);
        Tokenizer tok = sftCkpt.tokenizer();
        List<String> promptList = Comparison.prompts(PairsInput.read(pairs).train(), Integer.MAX_VALUE);
        PolicyRunCli.checkResumable(out, resume);
        try (Gpt ref = sftCkpt.model(dev);
             Gpt policy = sftCkpt.model(dev);
             ScoreModel reward = ScoreModel.load(Checkpoint.read(rm), dev)) {
            RlooTrainer rloo = new RlooTrainer(policy, ref, new RewardModelScorer(reward, tok, cfg.responseLength(), 32),
                    gold ? new GoldPreference() : null, tok, promptList, cfg);
            PolicyRunCli.train("rloo", "RLOO: reward, KL and gold", rloo, out, cfg.steps(), checkpointEvery, resume);
        }
        return 0;
    }

    /** The RLOO config the options give (the seed from --seed). */
    public RlooConfig config() {
        return settings.config(RlooConfig.builder().set(RlooConfig.SEED, run.seed()));
    }
}
