package plaudit.bench;

import ai.djl.Device;
import plaudit.bench.PytorchBench.Sizes;
import plaudit.model.Gpt;
import plaudit.model.ScoreModel;
import plaudit.reward.RewardModelScorer;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;

import java.util.ArrayList;
import java.util.Arrays;
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

    PpoModels(Sizes z, Gpt policy, Device device) {
        ref = Gpt.fromParameters(z.cfg(), policy.parameters(), device);
        value = ScoreModel.withNewHead(Gpt.fromParameters(z.cfg(), policy.parameters(), device), 3);
        rm = ScoreModel.withNewHead(Gpt.fromParameters(z.cfg(), policy.parameters(), device), 4);
        PpoConfig pc = PpoConfig.SETTINGS.builder().set(STEPS, 1_000_000).set(BATCH_SIZE, z.ppoBatch())
                .set(MINI_BATCH_SIZE, z.ppoBatch() / 4).set(PPO_EPOCHS, z.ppoEpochs())
                .set(RESPONSE_LENGTH, z.ppoResponse()).set(LR, 3e-5).set(SEED, 3L).set(SAMPLE_EVERY, 0).build();
        int vocab = z.cfg().vocabSize();
        PpoBench.NumberTokenizer tok = new PpoBench.NumberTokenizer(vocab);
        List<String> prompts = new ArrayList<>();
        long[] ids = PytorchBench.batchIds(z.ppoBatch(), z.ppoPrompt(), vocab - 1, 4); // the last id is EOS
        for (int r = 0; r < z.ppoBatch(); r++) {
            prompts.add(PpoBench.NumberTokenizer.text(Arrays.stream(ids, r * z.ppoPrompt(), (r + 1) * z.ppoPrompt())
                    .mapToInt(i -> (int) i).toArray()));
        }
        rm.setTrainable(false);
        trainer = new PpoTrainer(policy, ref, value, new RewardModelScorer(rm, tok, z.ppoResponse(), z.ppoBatch()),
                null, tok, prompts, pc);
    }

    @Override
    public void close() {
        ref.close();
        value.close();
        rm.close();
    }
}
