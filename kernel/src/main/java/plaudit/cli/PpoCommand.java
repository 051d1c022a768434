package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.data.Comparison;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.ScoreModel;
import plaudit.sim.GoldPreference;
import plaudit.text.Tokenizer;
import plaudit.experiment.Recipe;
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
    @Option(names = "--steps", defaultValue = "100", description = "PPO iterations (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--batch", defaultValue = "32", description = "Episodes per rollout (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--mini-batch", defaultValue = "8", description = "Episodes per gradient step (default: ${DEFAULT-VALUE}).")
    int miniBatch;
    @Option(names = "--epochs", defaultValue = "4", description = "PPO epochs per rollout (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--lr", defaultValue = "5e-5", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--anneal-lr", description = "Decay the learning rate linearly to 0 over the run (CleanRL's anneal_lr).")
    boolean annealLr;
    @Option(names = "--average-tail", defaultValue = "0", description = "The run's policy is the mean of its weights over this last fraction of the steps; 0 = the last iterate (default: ${DEFAULT-VALUE}).")
    double averageTail;
    @Option(names = "--response-length", defaultValue = "48", description = "Most tokens per response (default: ${DEFAULT-VALUE}).")
    int responseLength;
    @Option(names = "--kl-coef", defaultValue = "0.05", description = "β, the KL penalty coefficient (initial value when adaptive) (default: ${DEFAULT-VALUE}).")
    double klCoef;
    @Option(names = "--adaptive-kl", description = "Target KL in nats: adapt β towards it (Ziegler et al.).")
    Double targetKl;
    @Option(names = "--kl-horizon", defaultValue = "10000", description = "Adaptive controller horizon in episodes (default: ${DEFAULT-VALUE}).")
    double klHorizon;
    @Option(names = "--missing-eos-penalty", defaultValue = "0", description = "Subtracted from the score of responses without EOS (default: ${DEFAULT-VALUE}).")
    double missingEosPenalty;
    @Option(names = "--shared-trunk", description = "Value head on the policy's own trunk instead of a separate value network initialised from the reward model: about half the update's compute, one model less in memory.")
    boolean sharedTrunk;
    @Option(names = "--gold", description = "The prompts come from the synthetic forum: log objective/gold too.")
    boolean gold;
    @Option(names = "--checkpoint-every", defaultValue = "20", description = "Checkpoint interval in steps (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--resume", description = "Continue from OUT/checkpoint (same options and seed).")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        PpoConfig.Builder b = PpoConfig.builder().steps(steps).batchSize(batch).miniBatchSize(miniBatch)
                .ppoEpochs(epochs).lr(lr).annealLr(annealLr).averageTail(averageTail).responseLength(responseLength).klCoef(klCoef)
                .missingEosPenalty(missingEosPenalty).sharedTrunk(sharedTrunk).seed(run.seed());
        if (targetKl != null) b.adaptiveKl(targetKl, klHorizon);
        PpoConfig cfg = b.build();
        var dev = run.device();
        Checkpoint sftCkpt = Checkpoint.read(sft);
        Tokenizer tok = sftCkpt.tokenizer();
        List<String> prompts = Comparison.prompts(PairsInput.read(pairs).train(), Integer.MAX_VALUE);
        PolicyRunCli.checkResumable(out, resume);
        try (Gpt ref = sftCkpt.model(dev);
             Gpt policy = sftCkpt.model(dev);
             ScoreModel reward = ScoreModel.load(Checkpoint.read(rm), dev);
             ScoreModel value = sharedTrunk ? null : ScoreModel.load(Checkpoint.read(rm), dev)) {
            PpoTrainer ppo = new PpoTrainer(policy, ref, value, Recipe.scorer(reward, tok, responseLength),
                    gold ? new GoldPreference() : null, tok, prompts, cfg);
            PolicyRunCli.train("ppo", "PPO: reward, KL and gold", ppo, out, cfg.steps(), checkpointEvery, resume);
        }
        return 0;
    }
}
