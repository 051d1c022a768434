package plaudit.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import plaudit.data.Comparison;
import plaudit.data.Split;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.train.ppo.CharTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The supervised loop's hook and checkpoints, for each of its four trainers on tiny models (no dropout: its draws are
 * PyTorch's global generator, which a checkpoint cannot hold). A run of 7 steps with a checkpoint every 2 is
 * cancelled by its hook after step 5, so its last checkpoint is step 4's; resumed from there it must finish exactly as
 * the run that was never stopped.
 */
class SupervisedLoopTest {
    private static final int STEPS = 7;
    private static final int EVERY = 2;
    private static final int CANCEL_AT = 5;
    private static final CharTokenizer TOK = new CharTokenizer();
    private static final GptConfig MODEL = new GptConfig(1, 2, 16, 24, TOK.vocabSize(), 0.0);
    private static final List<Comparison> TRAIN = DpoTrainerTest.pairs(List.of("say ", "hello ", "the cat ", "a dog "),
            Split.TRAIN);
    private static final List<Comparison> VAL = DpoTrainerTest.pairs(List.of("we ", "so the "), Split.VAL);

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"pretraining", "sft", "reward model", "dpo"})
    void aResumedRunEndsExactlyAsAnUninterruptedOne(String trainer) throws IOException {
        Path straight = tmp.resolve("straight"), stopped = tmp.resolve("stopped");
        Map<String, float[]> expected = train(trainer, tmp.resolve("plain/metrics.csv"), SupervisedLoop.Control.NONE);
        Map<String, float[]> uninterrupted = train(trainer, straight.resolve("metrics.csv"),
                new SupervisedLoop.Control(straight.resolve("checkpoint"), EVERY, null));
        assertParametersEqual(expected, uninterrupted); // checkpointing itself changes nothing

        assertThrows(CancellationException.class, () -> train(trainer, stopped.resolve("metrics.csv"),
                new SupervisedLoop.Control(stopped.resolve("checkpoint"), EVERY, cancelAfter(CANCEL_AT))));
        SupervisedLoop.Control resume = new SupervisedLoop.Control(stopped.resolve("checkpoint"), EVERY, null);
        assertEquals(4, resume.stepsDone());
        Map<String, float[]> resumed = train(trainer, stopped.resolve("metrics.csv"), resume);

        assertEquals(withoutTiming(straight.resolve("metrics.csv")), withoutTiming(stopped.resolve("metrics.csv")));
        assertEquals(STEPS + 1, Files.readAllLines(stopped.resolve("metrics.csv")).size());
        assertParametersEqual(uninterrupted, resumed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pretraining", "reward model"})
    void theHooksExceptionStopsTrainingAndKeepsTheLastCheckpoint(String trainer) throws IOException {
        Path straight = tmp.resolve("straight"), stopped = tmp.resolve("stopped");
        byte[][] atStep4 = new byte[2][];
        train(trainer, straight.resolve("metrics.csv"), new SupervisedLoop.Control(straight.resolve("checkpoint"),
                EVERY, done -> {
                    if (done == CANCEL_AT) atStep4[0] = read(straight.resolve("checkpoint/model.safetensors"));
                    if (done == CANCEL_AT) atStep4[1] = read(straight.resolve("checkpoint/optimizer.safetensors"));
                }));

        assertThrows(CancellationException.class, () -> train(trainer, stopped.resolve("metrics.csv"),
                new SupervisedLoop.Control(stopped.resolve("checkpoint"), EVERY, cancelAfter(CANCEL_AT))));

        assertEquals(CANCEL_AT + 1, Files.readAllLines(stopped.resolve("metrics.csv")).size(), "no step after the hook's");
        assertEquals(4, TrainingCheckpoint.step(stopped.resolve("checkpoint")));
        assertArrayEquals(atStep4[0], read(stopped.resolve("checkpoint/model.safetensors")), "step 4's model");
        assertArrayEquals(atStep4[1], read(stopped.resolve("checkpoint/optimizer.safetensors")), "step 4's AdamW");
        try (Stream<Path> files = Files.list(stopped)) {
            assertEquals(List.of("checkpoint", "metrics.csv"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary sibling left");
        }
    }

    private static IntConsumer cancelAfter(int step) {
        return done -> {
            if (done == step) throw new CancellationException("cancelled after step " + done);
        };
    }

    /** Trains a fresh model (the same initialisation every time) with {@code trainer}; its parameters at the end. */
    private static Map<String, float[]> train(String trainer, Path metrics, SupervisedLoop.Control control) {
        try (Gpt model = Gpt.init(MODEL, Device.cpu(), 1);
             MetricsLog log = MetricsLog.resume(trainer, metrics, control.stepsDone())) {
            switch (trainer) {
                case "pretraining" -> LmTrainer.train(model, TokenCorpus.of(LmTrainerTest.corpus(), TOK, 10),
                        new LmTrainer.Config(STEPS, 4, 2, 16, new LrSchedule(3e-3, 3e-4, 2, STEPS), 0.1, 1.0, 3, 1, 5),
                        log, control);
                case "sft" -> SftTrainer.train(model, TOK, SftTrainer.topReplies(TRAIN), SftTrainer.topReplies(VAL),
                        new SftTrainer.Config(STEPS, 3, 1e-2, 2, 0.1, 1.0, 8, 3, 5), log, control);
                case "reward model" -> {
                    ScoreModel rm = ScoreModel.withNewHead(model, 2);
                    RewardTrainer.train(rm, TOK, TRAIN, VAL, null,
                            new RewardTrainer.Config(STEPS, 3, 1e-2, 2, 0.0, 1.0, 8, false, 0.01, 3, 5), log, control);
                    return values(rm.parameters());
                }
                case "dpo" -> {
                    try (Gpt ref = Gpt.fromParameters(MODEL, model.parameters(), Device.cpu())) {
                        new DpoTrainer(model, ref, TOK, TRAIN, VAL, new DpoTrainer.Config(STEPS, 3, 1e-2, 0.1, 1.0, 8, 3, 5))
                                .train(log, control);
                    }
                }
                default -> throw new IllegalArgumentException(trainer);
            }
            return values(model.parameters());
        }
    }

    private static Map<String, float[]> values(Map<String, NDArray> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((name, a) -> out.put(name, a.toFloatArray()));
        return out;
    }

    private static void assertParametersEqual(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, v) -> assertArrayEquals(v, actual.get(name), name));
    }

    /** The metrics file's lines without pretraining's tokens_per_s, the one column that depends on the clock. */
    private static List<String> withoutTiming(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        int timing = Arrays.asList(lines.get(0).split(",")).indexOf("tokens_per_s");
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
            if (timing >= 0) cells.remove(timing);
            out.add(String.join(",", cells));
        }
        return out;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
