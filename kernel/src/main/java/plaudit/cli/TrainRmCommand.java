package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.experiment.Experiment;
import plaudit.experiment.Recipe;
import plaudit.experiment.RewardModelStage;
import plaudit.experiment.Splits;
import plaudit.model.CausalLm;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.report.Tables;
import plaudit.sim.GoldPreference;
import plaudit.reward.RewardModelScorer;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;
import plaudit.train.Completions;
import plaudit.train.RewardTrainer;
import plaudit.train.SupervisedLoop;


/** {@code plaudit train-rm}: a Bradley–Terry reward model on upvote comparisons. */
@Command(name = "train-rm", mixinStandardHelpOptions = true,
        description = {"Trains a reward model (SFT trunk + scalar head) on comparisons: loss −log σ(r_chosen − r_rejected).",
                "Afterwards shifts the reward so that the SFT model's own samples score mean 0 (Stiennon et al.).",
                "Writes OUT/checkpoint/ (with score_head.safetensors), OUT/metrics.csv and OUT/calibration.csv "
                        + "(accuracy by score-ratio bucket)."})
public final class TrainRmCommand extends ModelCommand<Experiment.RewardModel> {
    @Mixin
    StageOptions stage;
    @Mixin
    CheckpointSftOptions sft;
    @Option(names = "--margin", description = "Use the log score ratio of each pair as a margin in the loss.")
    boolean margin;
    @Option(names = "--center-coef", defaultValue = "" + Recipe.RM_CENTER_COEF, description = "Reward-centering term weight; 0 = off (default: ${DEFAULT-VALUE}).")
    double centerCoef;
    @Mixin
    ModelResponseOptions response;
    @Mixin
    ChatTemplateOption chat;
    @Option(names = "--recenter-prompts", defaultValue = "64", description = "Held-out prompts sampled from SFT to re-centre the reward; 0 = skip (default: ${DEFAULT-VALUE}).")
    int recenterPrompts;
    @Option(names = "--gold", description = "The data comes from the synthetic forum: also report agreement with its gold preference.")
    boolean gold;

    public TrainRmCommand() {
        super(Experiment.RewardModel.SETTINGS, null);
    }

    @Override
    public Integer call() throws Exception {
        Experiment.RewardModel rmConfig = config(); // before anything slow
        Splits data = stage.read().splits();
        var dev = run.device();
        // the experiment's reward-model stage and recipe, with this command's margin and centring options
        RewardTrainer.Config cfg = Recipe.rewardModel(rmConfig, response.maxResponse, margin,
                centerCoef, run.seed());
        try (ModelInput init = ModelInput.open(sft.dir);
             ScoreModel rm = ScoreModel.withNewHead(init.model(dev), run.seed(), rmConfig.scoreReadout())) {
            Tokenizer tok = init.tok();
            Turns turns = init.turns(chat);
            RewardModelStage.Trained t = RewardModelStage.train(rm, turns, data.train(), data.validation(),
                    gold ? new GoldPreference() : null, cfg, stage.out, SupervisedLoop.Control.NONE);
            RewardTrainer.Evaluation ev = t.evaluation();
            if (recenterPrompts > 0) {
                // as the experiment re-centres: SFT's samples on the held-out prompts, evaluation.samples per prompt
                try (CausalLm policy = init.model(dev)) {
                    Completions samples = RewardModelStage.sftSamples(policy, turns, data.heldOutPrompts(recenterPrompts),
                            Experiment.defaults().evaluation().samples(), response.maxResponse, run.seed());
                    double shift = new RewardModelScorer(rm, turns, response.maxResponse, Recipe.SCORER_BATCH).recenterOn(samples);
                    System.out.printf("reward shifted by %.4f so that SFT samples score mean 0%n", shift);
                }
            }
            rm.save(stage.out("checkpoint"), tok);
            System.out.println(Tables.readable(MetricsLog.summary(t.metrics())).print());
            System.out.println(Tables.readable(ev.accuracyByRatio()).print());
            System.out.printf("held-out accuracy %.4f%s%n", ev.accuracy(),
                    gold ? String.format(", agreement with gold %.4f", ev.goldAgreement()) : "");
        }
        System.out.println("checkpoint: " + stage.out("checkpoint"));
        return 0;
    }
}
