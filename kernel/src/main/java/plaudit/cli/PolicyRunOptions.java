package plaudit.cli;

import ai.djl.Device;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.data.Comparison;
import plaudit.model.Checkpoint;
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
    @Option(names = "--gold", description = "The prompts come from the synthetic forum: log objective/gold too.")
    boolean gold;
    @Option(names = "--checkpoint-every", defaultValue = "20", description = "Checkpoint interval in steps (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--resume", description = "Continue from OUT/checkpoint (same options and seed).")
    boolean resume;

    /** The distinct training prompts of the pairs. */
    List<String> trainPrompts() {
        return Comparison.prompts(stage.read().train(), Integer.MAX_VALUE);
    }

    /** The reward model of {@code --rm} on {@code dev} (PPO loads it a second time as its value function). */
    ScoreModel rewardModel(Device dev) {
        return ScoreModel.load(Checkpoint.read(rm), dev);
    }
}
