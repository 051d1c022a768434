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
                        + "(accuracy by score-ratio bucket).",
                "With --lora-rank the head trains in full and the trunk through adapters: OUT/checkpoint/ holds the "
                        + "merged trunk and the head, OUT/adapter/ the trunk's adapters in PEFT's format."})
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
    @Mixin
    LoraOptions lora;

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
        // the adapters' seed differs from the head's, whose draws would otherwise repeat theirs; without LoRA the
        // trunk is base itself, closed twice: closing a model again does nothing
        try (ModelInput init = ModelInput.open(sft.dir); CausalLm base = init.model(dev);
             ScoreModel rm = ScoreModel.withNewHead(lora.wrap(base, run.seed() + 1), run.seed(),
                     rmConfig.scoreReadout())) {
            Tokenizer tok = init.tok();
            Turns turns = init.turns(chat);
            RewardModelStage.Trained t = RewardModelStage.train(rm, turns, data.train(), data.validation(),
                    gold ? new GoldPreference() : null, cfg, stage.out, SupervisedLoop.Control.NONE);
            RewardTrainer.Evaluation ev = t.evaluation();
            if (recenterPrompts > 0) {
                // as the experiment re-centres: SFT's samples on the held-out prompts, evaluation.samples per prompt
                // with LoRA the frozen base is the SFT model itself; without, the trunk has trained: load SFT again
                try (CausalLm copy = rm.trunk() == base ? init.model(dev) : null) {
                    CausalLm policy = copy != null ? copy : base;
                    Completions samples = RewardModelStage.sftSamples(policy, turns, data.heldOutPrompts(recenterPrompts),
                            Experiment.defaults().evaluation().samples(), response.maxResponse, run.seed());
                    double shift = new RewardModelScorer(rm, turns, response.maxResponse, Recipe.SCORER_BATCH).recenterOn(samples);
                    System.out.printf("reward shifted by %.4f so that SFT samples score mean 0%n", shift);
                }
            }
            // PPO pairs OUT/adapter with the head in OUT/checkpoint: never leave an earlier run's adapter beside this head
            LoraOptions.removeAdapter(stage.out);
            rm.save(stage.out("checkpoint"), tok);
            LoraOptions.writeAdapter(rm.trunk(), stage.out, sft.dir);
            System.out.println(Tables.readable(MetricsLog.summary(t.metrics())).print());
            System.out.println(Tables.readable(ev.accuracyByRatio()).print());
            System.out.printf("held-out accuracy %.4f%s%n", ev.accuracy(),
                    gold ? String.format(", agreement with gold %.4f", ev.goldAgreement()) : "");
        }
        System.out.println("checkpoint: " + stage.out("checkpoint"));
        return 0;
    }
}
