package plaudit.cli;

import ai.djl.Device;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.data.Comparison;
import plaudit.model.ScoreModel;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code plaudit ppo} and {@code plaudit rloo} both read and write (a picocli mixin): the SFT and reward model
 * checkpoints, the prompts and the output folder ({@link StageOptions}), and its checkpoints.
 */
public final class PolicyRunOptions {
    @Mixin
    CheckpointSftOptions sft;
    @Option(names = "--rm", required = true, description = "Reward model checkpoint (output of train-rm); PPO also "
            + "initialises its value function from it.")
    Path rm;
    @Mixin
    StageOptions stage;
    @Mixin
    ChatTemplateOption chat;
    @Option(names = "--gold", description = "The prompts come from the synthetic forum: log objective/gold too.")
    boolean gold;
    @Option(names = "--checkpoint-every", defaultValue = "20", description = "Checkpoint interval in steps (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--resume", description = "Continue from OUT/checkpoint (same options and seed).")
    boolean resume;

    /**
     * Refuses an interval below 1: the run would write no checkpoint at all, not even at its last step, and the
     * trained policy would be lost when the command ends.
     */
    void checkInterval() {
        if (checkpointEvery < 1) {
            throw new UserError("--checkpoint-every " + checkpointEvery + " would save no checkpoint and lose the "
                    + "trained policy; give a number of steps of at least 1 (the last step is always saved)");
        }
    }

    /** The distinct training prompts of the pairs. */
    List<String> trainPrompts() {
        return Comparison.prompts(stage.read().train(), Integer.MAX_VALUE);
    }

    /** The reward model of {@code --rm} on {@code dev} (PPO loads it a second time as its value function). */
    ScoreModel rewardModel(Device dev) {
        return ScoreModel.load(rm, dev);
    }
}
