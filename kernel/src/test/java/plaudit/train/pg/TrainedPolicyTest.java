package plaudit.train.pg;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.Test;
import plaudit.data.RewardFunction;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.train.ppo.CharTokenizer;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;
import plaudit.train.rloo.RlooConfig;
import plaudit.train.rloo.RlooTrainer;

import java.util.List;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** PPO and RLOO leave the policy they trained in the same state: frozen, as every trainer leaves its model. */
class TrainedPolicyTest {
    private static final CharTokenizer TOK = new CharTokenizer();
    private static final GptConfig MODEL = new GptConfig(1, 2, 32, 24, TOK.vocabSize(), 0.0);
    private static final List<String> PROMPTS = List.of("say ", "hello ");
    private static final RewardFunction LENGTH = (prompt, response) -> response.length() / 8.0;

    @Test
    void ppoAndRlooLeaveThePolicyFrozen() {
        PpoConfig ppo = PpoConfig.SETTINGS.builder().set(PpoConfig.STEPS, 1).set(PpoConfig.BATCH_SIZE, 4)
                .set(PpoConfig.MINI_BATCH_SIZE, 4).set(PpoConfig.PPO_EPOCHS, 1).set(PpoConfig.RESPONSE_LENGTH, 4)
                .set(PpoConfig.SEED, 7L).set(PpoConfig.SAMPLE_EVERY, 0).build();
        RlooConfig rloo = new RlooConfig(1, 2, 2, 1, 4, 1e-3, 4, 1.0, 0.01, 0.2, false, 0, 0, 1.0, 0, 7);
        assertEquals(List.of(false), trainableAfter((policy, ref) -> {
            Gpt trunk = Gpt.fromParameters(MODEL, policy.parameters(), Device.cpu());
            try (ScoreModel value = ScoreModel.withNewHead(trunk, 5)) {
                train(new PpoTrainer(policy, ref, value, LENGTH, null, TOK, PROMPTS, ppo));
            }
        }), "PPO");
        assertEquals(List.of(false), trainableAfter((policy, ref) ->
                train(new RlooTrainer(policy, ref, LENGTH, null, TOK, PROMPTS, rloo))), "RLOO");
    }

    private static void train(PolicyGradientTrainer trainer) {
        trainer.train(new MetricsLog("run", null), null, null);
    }

    /** The distinct requires-gradient flags of the policy's parameters after {@code run} trained it. */
    private static List<Boolean> trainableAfter(BiConsumer<Gpt, Gpt> run) {
        try (Gpt policy = Gpt.init(MODEL, Device.cpu(), 3);
             Gpt ref = Gpt.fromParameters(MODEL, policy.parameters(), Device.cpu())) {
            run.accept(policy, ref);
            return policy.parameters().values().stream().map(NDArray::hasGradient).distinct().toList();
        }
    }
}
