package plaudit.experiment;

import plaudit.model.GptConfig;
import plaudit.train.ppo.PpoConfig;

import java.util.List;

/** Experiments that run in seconds, for tests of the runner, the sessions and the commands. */
public final class MicroExperiments {
    private MicroExperiments() {
    }

    /**
     * A small synthetic forum (120 threads, 500 voters, the default votes and rules), a 300-token vocabulary and a
     * one-layer model of 32 dimensions, on the CPU; the stages are the caller's.
     */
    public static Experiment micro(Experiment.Pretrain pretrain, Experiment.Sft sft, Experiment.RewardModel rewardModel,
                                   PpoConfig ppo, Experiment.Evaluation evaluation, long seed) {
        Experiment d = Experiment.defaults();
        Experiment.Forum f = d.data().forum();
        return new Experiment(
                new Experiment.Data(Experiment.SYNTHETIC, List.of(), new Experiment.Forum(120, 500, f.voteNoise(),
                        f.charm(), f.lengthBias(), f.hypeBias(), f.herding()), null, d.data().rules()),
                new Experiment.Tokenizer(300, null), new GptConfig(1, 2, 32, 64, 300, 0.0),
                pretrain, sft, rewardModel, ppo, evaluation, "cpu", seed);
    }
}
