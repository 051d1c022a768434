package plaudit.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import plaudit.bench.PytorchBench.Sizes;
import plaudit.model.CausalLm;
import plaudit.model.Gpt;
import plaudit.model.NoGrad;
import plaudit.model.ScoreModel;
import plaudit.reward.RewardModelScorer;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;

import java.util.ArrayList;
import java.util.List;

import static plaudit.train.ppo.PpoConfig.BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.LR;
import static plaudit.train.ppo.PpoConfig.MINI_BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.PPO_EPOCHS;
import static plaudit.train.ppo.PpoConfig.RESPONSE_LENGTH;
import static plaudit.train.ppo.PpoConfig.SAMPLE_EVERY;
import static plaudit.train.ppo.PpoConfig.SEED;
import static plaudit.train.ppo.PpoConfig.STEPS;

/**
 * The four models of the benchmarks' PPO step, all on the weights of {@code policy} (as the PyTorch side loads them):
 * the policy itself, a reference, a value network and a reward model (new heads, seeded), and the trainer over them
 * with the sizes' batch, minibatch (a quarter of the batch), epochs and response length.
 */
final class PpoModels implements AutoCloseable {
    final Gpt ref;
    final ScoreModel value;
    final ScoreModel rm;
    final PpoTrainer trainer;
    private final Sizes z;

    PpoModels(Sizes z, Gpt policy, Device device) {
        this.z = z;
        ref = Gpt.fromParameters(z.cfg(), policy.parameters(), device);
        value = ScoreModel.withNewHead(Gpt.fromParameters(z.cfg(), policy.parameters(), device), 3);
        rm = ScoreModel.withNewHead(Gpt.fromParameters(z.cfg(), policy.parameters(), device), 4);
        PpoConfig pc = PpoConfig.SETTINGS.builder().set(STEPS, 1_000_000).set(BATCH_SIZE, z.ppoBatch())
                .set(MINI_BATCH_SIZE, z.ppoBatch() / 4).set(PPO_EPOCHS, z.ppoEpochs())
                .set(RESPONSE_LENGTH, z.ppoResponse()).set(LR, 3e-5).set(SEED, 3L).set(SAMPLE_EVERY, 0).build();
        int vocab = z.cfg().vocabSize();
        PpoBench.NumberTokenizer tok = new PpoBench.NumberTokenizer(vocab);
        List<String> prompts = new ArrayList<>(); // the last id is EOS
        for (int[] p : PytorchBench.prompts(z.ppoBatch(), z.ppoPrompt(), vocab - 1, 4)) {
            prompts.add(PpoBench.NumberTokenizer.text(p));
        }
        rm.setTrainable(false);
        trainer = new PpoTrainer(policy, ref, value, new RewardModelScorer(rm, tok, z.ppoResponse(), z.ppoBatch()),
                null, tok, prompts, pc);
    }

    /**
     * One scoring pass over the deterministic batch of {@code seq} tokens: the reference's log-probs, the value
     * network's values and the reward model's score, as a PPO step takes them after its rollout.
     */
    void score(int seq) {
        try (NoGrad ignored = NoGrad.enter(); NDManager s = ref.manager().newSubManager(ref.device())) {
            NDArray ids = s.create(PytorchBench.batchIds(z.scoreBatch(), seq, z.cfg().vocabSize(), 3),
                    new Shape(z.scoreBatch(), seq));
            NDArray in = ids.get(new NDIndex(":, :-1"));
            NDArray next = ids.get(new NDIndex(":, 1:"));
            NDArray refLogp = CausalLm.tokenLogProbs(ref.forward(in, null, null, null, false), next);
            NDArray values = value.scores(ids, null, false);
            NDArray reward = rm.scores(ids, null, false).get(new NDIndex(":, -1"));
            refLogp.sum().add(values.sum()).add(reward.sum()).getFloat(); // wait for the result (GPU)
        }
    }

    @Override
    public void close() {
        ref.close();
        value.close();
        rm.close();
    }
}
