package plaudit.train.pg;

import ai.djl.ndarray.NDManager;
import plaudit.model.CausalLm;
import plaudit.train.Permutation;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The update phase of PPO and RLOO: {@code epochs} passes over a batch of episodes in shuffled minibatches (the order
 * drawn from the step's seeded stream), each update in its own scope on the policy's device, so nothing it allocates
 * outlives it. What each update measures is averaged over all of them (the {@code *_avg} metrics).
 */
public final class Minibatches {
    private Minibatches() {
    }

    /** One minibatch update: trains on {@code batch} and writes what it measured into {@code stats}. */
    @FunctionalInterface
    public interface Update {
        void run(NDManager scope, ResponseBatch batch, double[] stats);
    }

    /**
     * @param stats how many numbers each update writes
     * @return the mean of each of those numbers over the updates
     */
    public static double[] run(CausalLm policy, Rollout.Episodes episodes, int epochs, int miniBatchSize,
                               SplittableRandom rng, int stats, Update update) {
        int n = episodes.size();
        double[] mean = new double[stats];
        int updates = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = Permutation.of(n, rng);
            for (int from = 0; from < n; from += miniBatchSize) {
                int[] mb = Arrays.copyOfRange(order, from, from + miniBatchSize);
                double[] measured = new double[stats];
                try (NDManager scope = policy.manager().newSubManager(policy.device())) {
                    update.run(scope, ResponseBatch.of(scope, episodes.promptIds(), episodes.response(), mb), measured);
                }
                for (int j = 0; j < stats; j++) mean[j] += measured[j];
                updates++;
            }
        }
        for (int j = 0; j < stats; j++) mean[j] /= updates;
        return mean;
    }
}
