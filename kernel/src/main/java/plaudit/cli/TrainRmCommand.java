package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.data.Comparison;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.report.Tables;
import plaudit.sim.GoldPreference;
import plaudit.text.Tokenizer;
import plaudit.train.Completions;
import plaudit.reward.RewardModelScorer;
import plaudit.train.RewardTrainer;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code plaudit train-rm}: a Bradley–Terry reward model on upvote comparisons. */
@Command(name = "train-rm", mixinStandardHelpOptions = true,
        description = {"Trains a reward model (SFT trunk + scalar head) on comparisons: loss −log σ(r_chosen − r_rejected).",
                "Afterwards shifts the reward so that the SFT model's own samples score mean 0 (Stiennon et al.).",
                "Writes OUT/checkpoint/ (with score_head.safetensors), OUT/metrics.csv and OUT/calibration.csv "
                        + "(accuracy by score-ratio bucket)."})
public final class TrainRmCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Option(names = "--pairs", required = true, description = "Output directory of `plaudit pairs`.")
    Path pairs;
    @Option(names = "--sft", required = true, description = "SFT checkpoint: the trunk's initialisation and the re-centring policy.")
    Path sft;
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;
    @Option(names = "--steps", defaultValue = "300", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--batch", defaultValue = "16", description = "Comparisons per step (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--lr", defaultValue = "1e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--margin", description = "Use the log score ratio of each pair as a margin in the loss.")
    boolean margin;
    @Option(names = "--center-coef", defaultValue = "0.01", description = "Reward-centering term weight; 0 = off (default: ${DEFAULT-VALUE}).")
    double centerCoef;
    @Option(names = "--max-response", defaultValue = "64", description = "Reply tokens kept (default: ${DEFAULT-VALUE}).")
    int maxResponse;
    @Option(names = "--recenter-prompts", defaultValue = "64", description = "Held-out prompts sampled from SFT to re-centre the reward; 0 = skip (default: ${DEFAULT-VALUE}).")
    int recenterPrompts;
    @Option(names = "--readout", defaultValue = "last", description = "How a sequence's score is read: last (the last "
            + "token's, as published) or mean (the mean over positions) (default: ${DEFAULT-VALUE}).")
    String readout;
    @Option(names = "--gold", description = "The data comes from the synthetic forum: also report agreement with its gold preference.")
    boolean gold;

    @Override
    public Integer call() throws Exception {
        ScoreModel.Readout how = ScoreModel.Readout.parse(readout); // before anything slow
        PairsInput data = PairsInput.read(pairs);
        Checkpoint init = Checkpoint.read(sft);
        Tokenizer tok = init.tokenizer();
        var dev = run.device();
        RewardTrainer.Config cfg = new RewardTrainer.Config(steps, batch, lr, Math.max(1, steps / 10), 0.0, 1.0,
                maxResponse, margin, centerCoef, Math.max(1, steps / 10), run.seed());
        try (ScoreModel rm = ScoreModel.withNewHead(init.model(dev), run.seed(), how);
             MetricsLog log = new MetricsLog("reward model", out.resolve("metrics.csv"))) {
            RewardTrainer.Evaluation ev = RewardTrainer.train(rm, tok, data.train(), data.heldOut(),
                    gold ? new GoldPreference() : null, cfg, log);
            ev.accuracyByRatio().write().csv(out.resolve("calibration.csv").toFile());
            if (recenterPrompts > 0) {
                try (Gpt policy = init.model(dev)) {
                    Completions samples = Completions.sample(policy, tok,
                            Comparison.prompts(data.heldOut(), recenterPrompts), 1, maxResponse, 1.0, run.seed());
                    double shift = new RewardModelScorer(rm, tok, maxResponse, 32).recenterOn(samples);
                    System.out.printf("reward shifted by %.4f so that SFT samples score mean 0%n", shift);
                }
            }
            rm.save(out.resolve("checkpoint"), tok);
            System.out.println(Tables.readable(log.summary()).print());
            System.out.println(Tables.readable(ev.accuracyByRatio()).print());
            System.out.printf("held-out accuracy %.4f%s%n", ev.accuracy(),
                    gold ? String.format(", agreement with gold %.4f", ev.goldAgreement()) : "");
        }
        System.out.println("checkpoint: " + out.resolve("checkpoint"));
        return 0;
    }
}
