package plaudit.experiment;

import plaudit.data.RewardFunction;

import java.util.function.UnaryOperator;

/**
 * Something that executes an {@link Experiment}: {@link ExperimentRunner} on this machine; a remote worker later.
 */
public interface Runner {
    /**
     * Runs every stage of {@code experiment}.
     *
     * @param reward given the trained (re-centred) reward model, the reward that PPO and best-of-n optimise, e.g.
     *               {@code rm -> Rewards.sum(List.of(rm, polite), new double[] {0.7, 0.3})}; null = the reward model
     */
    ExperimentResult run(Experiment experiment, UnaryOperator<RewardFunction> reward);
}
