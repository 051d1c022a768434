package plaudit.train.pg;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.data.RewardFunction;
import plaudit.model.CausalLm;
import plaudit.model.KvCache;
import plaudit.model.ModelFolder;
import plaudit.model.Safetensors;
import plaudit.model.TinyLlamas;
import plaudit.text.HfReference;
import plaudit.text.HfTokenizer;
import plaudit.text.Turns;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PPO/RLOO rollout with Llama 3's chat template: the policy is asked with the template's prompt ids, sampling stops
 * at {@code <|eot_id|>} (a policy biased towards it draws it first), the reward model is handed the ids as sampled and
 * the text without the end of turn.
 */
class ChatRolloutTest {
    private static final int EOT = 128009;
    private static final List<String> PROMPTS = List.of("How do I boil an egg?", "Name a cat.");
    static HfTokenizer llama3;
    static Turns chat;

    @TempDir
    static Path dir;

    @BeforeAll
    static void load() {
        llama3 = HfTokenizer.load(HfReference.tokenizerJson("llama3"));
        chat = Turns.chat(HfReference.chatFormat("llama3", llama3));
        TinyLlamas.write(dir.resolve("llama"), TinyLlamas.LLAMA3_VOCAB, 7, Safetensors.DType.F32, 1);
    }

    @AfterAll
    static void close() {
        llama3.close();
    }

    /** What the reward was given: a reward model's view of the rollout. */
    private static final class Recorded implements RewardFunction, SampledReward {
        final List<int[]> promptIds = new ArrayList<>(), responseIds = new ArrayList<>();
        final List<String> texts = new ArrayList<>();

        @Override
        public double score(String prompt, String response) {
            throw new AssertionError("a rollout hands a SampledReward the ids");
        }

        @Override
        public double[] scoreSampled(List<String> prompts, int[][] prompt, int[][] response, List<String> text) {
            promptIds.addAll(List.of(prompt));
            responseIds.addAll(List.of(response));
            texts.addAll(text);
            return new double[prompts.size()];
        }
    }

    @Test
    void aChatRolloutAsksWithThePromptIdsAndStopsAtTheEndOfTurn() {
        Recorded reward = new Recorded();
        try (CausalLm ref = ModelFolder.open(dir.resolve("llama"), Device.cpu());
             CausalLm base = ModelFolder.open(dir.resolve("llama"), Device.cpu());
             CausalLm policy = new Biased(base, EOT)) {
            Rollout rollout = new Rollout("ppo", policy, ref, reward, null, chat, PROMPTS, 6, 1.0, 1.0, 0);
            Rollout.Episodes episodes = rollout.collect(PROMPTS, 3, 0);
            for (int i = 0; i < PROMPTS.size(); i++) {
                int[] asked = chat.promptIds(PROMPTS.get(i));
                assertArrayEquals(asked, episodes.promptIds()[i]);
                assertArrayEquals(asked, reward.promptIds.get(i));
                assertArrayEquals(new int[] {EOT}, episodes.response()[i], "stopped at <|eot_id|>, kept as the last token");
                assertArrayEquals(new int[] {EOT}, reward.responseIds.get(i));
                assertTrue(episodes.eos()[i]);
                assertEquals("", episodes.text()[i], "the end of turn is not part of the reply's text");
                assertEquals(0.0, episodes.scores()[i], "no missing-end penalty");
            }
        }
    }

    /** {@code inner} with a large logit added to one token, so that sampling draws it. */
    private record Biased(CausalLm inner, int token) implements CausalLm {
        @Override
        public NDArray logits(NDArray hidden) {
            NDArray logits = inner.logits(hidden);
            float[] bias = new float[inner.vocabSize()];
            bias[token] = 1e4f;
            return logits.add(logits.getManager().create(bias));
        }

        @Override
        public String modelType() {
            return inner.modelType();
        }

        @Override
        public int vocabSize() {
            return inner.vocabSize();
        }

        @Override
        public int contextLength() {
            return inner.contextLength();
        }

        @Override
        public String contextLengthKey() {
            return inner.contextLengthKey();
        }

        @Override
        public int hiddenSize() {
            return inner.hiddenSize();
        }

        @Override
        public Device device() {
            return inner.device();
        }

        @Override
        public NDManager manager() {
            return inner.manager();
        }

        @Override
        public Map<String, NDArray> parameters() {
            return inner.parameters();
        }

        @Override
        public void setTrainable(boolean on) {
            inner.setTrainable(on);
        }

        @Override
        public NDArray hidden(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache, boolean train) {
            return inner.hidden(ids, attentionMask, positionIds, cache, train);
        }

        @Override
        public KvCache newCache(int rows, int capacity) {
            return inner.newCache(rows, capacity);
        }

        @Override
        public void close() {
            // the inner model is closed by its owner
        }
    }
}
