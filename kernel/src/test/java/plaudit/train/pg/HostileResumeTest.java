package plaudit.train.pg;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import plaudit.UserError;
import plaudit.data.RewardFunction;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.train.ppo.CharTokenizer;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.ppo.PpoTrainer;
import plaudit.train.rloo.RlooConfig;
import plaudit.train.rloo.RlooTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static plaudit.train.ppo.PpoConfig.ANNEAL_LR;
import static plaudit.train.ppo.PpoConfig.BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.LR;
import static plaudit.train.ppo.PpoConfig.MINI_BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.RESPONSE_LENGTH;
import static plaudit.train.ppo.PpoConfig.SAMPLE_EVERY;
import static plaudit.train.ppo.PpoConfig.SEED;
import static plaudit.train.ppo.PpoConfig.STEPS;

/**
 * {@code --resume} of PPO and RLOO once checked only the seed: a changed learning rate or batch was silently mixed
 * into the run, fewer steps than the checkpoint's gave "resumed at step 60 of 22", and a damaged
 * {@code trainer_state.json} a NullPointerException. A resumed run must now have the settings that wrote the
 * checkpoint (those that may change aside) and at least its step, and a damaged state is refused naming the file and
 * the field, all before any weight is loaded.
 */
@Tag("adversarial")
class HostileResumeTest {
    private static final CharTokenizer TOK = new CharTokenizer();
    private static final GptConfig MODEL = new GptConfig(1, 2, 16, 24, TOK.vocabSize(), 0.0);
    private static final List<String> PROMPTS = List.of("say ", "hello ", "the cat ");
    private static final RewardFunction SAY_X = (p, r) -> r.chars().filter(c -> c == 'x').count();
    /** A run of 4 steps; the checkpoint below is its step 2's. */
    private static final PpoConfig PPO = PpoConfig.SETTINGS.builder().set(STEPS, 4).set(BATCH_SIZE, 4)
            .set(MINI_BATCH_SIZE, 2).set(LR, 3e-3).set(RESPONSE_LENGTH, 4).set(SEED, 7L).set(SAMPLE_EVERY, 1).build();

    @TempDir
    static Path written;
    @TempDir
    Path tmp;

    /** PPO's checkpoint of step 2 in {@code written/ppo/checkpoint}. */
    @BeforeAll
    static void writeCheckpoint() {
        ResumableTraining.run("ppo", ppo(PPO.toBuilder().set(STEPS, 2).build()), written.resolve("ppo"), 2, 1,
                new ArrayList<>(), null);
    }

    @Test
    void aChangedLearningRateOrBatchIsRefusedListingEachSetting() throws IOException {
        String lr = refused(PPO.toBuilder().set(LR, 6e-3).build());
        assertTrue(lr.contains("--lr was 0.003, now 0.006"), lr);
        assertTrue(lr.endsWith("resume with the same settings or start a new --out"), lr);

        String batch = refused(PPO.toBuilder().set(BATCH_SIZE, 8).set(MINI_BATCH_SIZE, 4).build());
        assertTrue(batch.contains("--batch was 4, now 8; --mini-batch was 2, now 4"), batch);

        String seed = refused(PPO.toBuilder().set(SEED, 8L).build());
        assertTrue(seed.contains("seed was 7, now 8"), seed);
    }

    @Test
    void fewerStepsThanTheCheckpointsAreRefused() throws IOException {
        String m = refused(PPO.toBuilder().set(STEPS, 1).build());
        assertTrue(m.contains("is at step 2, past this run's --steps 1; give --steps 2 or more"), m);
    }

    /** Annealing spreads the learning rate over the whole run: with it, another --steps is another run. */
    @Test
    void stepsMayNotChangeWhenTheScheduleDependsOnThem() throws IOException {
        Path dir = tmp.resolve("annealed");
        PpoConfig annealed = PPO.toBuilder().set(ANNEAL_LR, true).build();
        ResumableTraining.run("ppo", ppo(annealed.toBuilder().set(STEPS, 1).build()), dir, 1, 1, new ArrayList<>(), null);
        UserError e = assertThrows(UserError.class, () -> ResumableTraining.resume(ppo(annealed), dir, new ArrayList<>()));
        assertTrue(e.getMessage().contains("--steps was 1, now 4"), e.getMessage());
    }

    /** More steps (no schedule depends on them) and another sample interval compute the same steps: allowed. */
    @Test
    void moreStepsAndAnotherSampleIntervalResume() throws IOException {
        Path dir = copy();
        PpoTrainer t = ppo(PPO.toBuilder().set(STEPS, 3).set(SAMPLE_EVERY, 2).build());
        assertEquals(2, ResumableTraining.resume(t, dir, new ArrayList<>()));
        ResumableTraining.run("ppo", t, dir, 3, 1, new ArrayList<>(), null);
        assertEquals(3, t.step());
    }

    /** RLOO's checkpoint records its own settings the same way. */
    @Test
    void rlooRefusesAChangedK() {
        Path dir = tmp.resolve("rloo");
        RlooConfig cfg = RlooConfig.SETTINGS.builder().set(RlooConfig.STEPS, 1).set(RlooConfig.PROMPTS, 2)
                .set(RlooConfig.K, 2).set(RlooConfig.MINI_BATCH_SIZE, 2).set(RlooConfig.RESPONSE_LENGTH, 4).build();
        ResumableTraining.run("rloo", rloo(cfg), dir, 1, 1, new ArrayList<>(), null);
        UserError e = assertThrows(UserError.class, () -> ResumableTraining.resume(
                rloo(cfg.toBuilder().set(RlooConfig.K, 4).set(RlooConfig.STEPS, 2).build()), dir, new ArrayList<>()));
        assertTrue(e.getMessage().contains("-k was 2, now 4") && !e.getMessage().contains("--steps"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"step", "optimizer_step", "settings", "kl_coef"})
    void aMissingFieldIsNamedWithTheFile(String field) throws IOException {
        String m = damaged(state -> {
            state.remove(field);
            return state;
        });
        assertTrue(m.contains("trainer_state.json: field '" + field + "' is missing or damaged"), m);
    }

    /** A checkpoint of an earlier Plaudit (the seed, no settings) still resumes, after its seed is checked. */
    @Test
    void anEarlierCheckpointWithOnlyItsSeedResumesWhenTheSeedAgrees() throws IOException {
        String other = damaged(state -> {
            state.remove("settings");
            state.put("seed", 99);
            return state;
        });
        assertTrue(other.contains("seed was 99, now "), other);
        Path dir = copy();
        Path file = dir.resolve("checkpoint/trainer_state.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode state = (ObjectNode) json.readTree(file.toFile());
        state.put("seed", Long.parseLong(state.remove("settings").get("seed").asText()));
        json.writeValue(file.toFile(), state);
        assertEquals(2, ResumableTraining.resume(ppo(PPO), dir, new ArrayList<>()));
    }

    @Test
    void aDamagedFieldIsNamedWithTheFile() throws IOException {
        String step = damaged(state -> state.put("step", "sixty"));
        assertTrue(step.contains("trainer_state.json: field 'step' is missing or damaged (expected an integer >= 0)"), step);
        String negative = damaged(state -> state.put("optimizer_step", -3));
        assertTrue(negative.contains("field 'optimizer_step'"), negative);
        String setting = damaged(state -> {
            ((ObjectNode) state.get("settings")).putArray("lr");
            return state;
        });
        assertTrue(setting.contains("field 'settings.lr'"), setting);
    }

    @Test
    void aTruncatedOrEmptyStateIsOneLineNamingTheFile() throws IOException {
        for (String text : List.of("{\"step\": 2, \"optim", "", "[]")) {
            Path dir = copy();
            Files.writeString(dir.resolve("checkpoint/trainer_state.json"), text);
            UserError e = assertThrows(UserError.class, () -> ResumableTraining.resume(ppo(PPO), dir, new ArrayList<>()));
            assertTrue(e.getMessage().contains("trainer_state.json"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** The refusal of a damaged checkpoint's {@code trainer_state.json} after {@code edit}; the message. */
    private String damaged(UnaryOperator<ObjectNode> edit) throws IOException {
        Path dir = copy();
        Path file = dir.resolve("checkpoint/trainer_state.json");
        ObjectMapper json = new ObjectMapper();
        json.writeValue(file.toFile(), edit.apply((ObjectNode) json.readTree(file.toFile())));
        UserError e = assertThrows(UserError.class, () -> ResumableTraining.resume(ppo(PPO), dir, new ArrayList<>()));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    /** The refusal of resuming the step-2 checkpoint with {@code cfg}; the message (one line). */
    private String refused(PpoConfig cfg) throws IOException {
        Path dir = copy();
        UserError e = assertThrows(UserError.class, () -> ResumableTraining.resume(ppo(cfg), dir, new ArrayList<>()));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("checkpoint").toString()), e.getMessage());
        return e.getMessage();
    }

    private Path copy() throws IOException {
        Path from = written.resolve("ppo"), dir = Files.createTempDirectory(tmp, "run");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                if (!f.equals(from)) Files.copy(f, dir.resolve(from.relativize(f).toString()));
            }
        }
        return dir;
    }

    /** A PPO trainer on a fresh tiny model (shared trunk: one model less); closed with the JVM's native memory. */
    static PpoTrainer ppo(PpoConfig cfg) {
        return ppo(cfg, SAY_X);
    }

    static PpoTrainer ppo(PpoConfig cfg, RewardFunction reward) {
        Gpt policy = Gpt.init(MODEL, Device.cpu(), 3);
        Gpt ref = Gpt.fromParameters(MODEL, policy.parameters(), Device.cpu());
        return new PpoTrainer(policy, ref, null, reward, null, TOK, PROMPTS,
                cfg.toBuilder().set(PpoConfig.SHARED_TRUNK, true).build());
    }

    private static RlooTrainer rloo(RlooConfig cfg) {
        Gpt policy = Gpt.init(MODEL, Device.cpu(), 3);
        Gpt ref = Gpt.fromParameters(MODEL, policy.parameters(), Device.cpu());
        return new RlooTrainer(policy, ref, SAY_X, null, TOK, PROMPTS, cfg);
    }
}
