package plaudit.cli;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import plaudit.experiment.Experiment;
import plaudit.experiment.ExperimentRunner;
import plaudit.experiment.MicroExperiments;
import plaudit.experiment.Recipe;
import plaudit.experiment.SftStage;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.ScoreModel;
import plaudit.text.Tokenizer;
import plaudit.train.Sequences;
import plaudit.train.ppo.PpoConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code plaudit sft} and {@code plaudit train-rm} run the experiment's stages with its recipe: from the same pairs,
 * initial model and seed they train the same models as the runner.
 */
class CliStagesTest {

    @Test
    void cliAndRunnerTrainTheSameModels(@TempDir Path dir) throws Exception {
        long seed = 5;
        // no pretraining, so the runner's SFT starts from the seeded initial model; 8 steps, where a warm-up of
        // steps/10 and one of max(1, steps/10) differ; train-rm re-centres with the spec's default samples per prompt
        Experiment e = MicroExperiments.micro(new Experiment.Pretrain(0, 8, 1e-3), new Experiment.Sft(8, 4, 3e-4),
                Experiment.RewardModel.of(8, 4, 1e-4),
                PpoConfig.SETTINGS.builder().set(PpoConfig.STEPS, 1).set(PpoConfig.BATCH_SIZE, 4)
                        .set(PpoConfig.MINI_BATCH_SIZE, 2).set(PpoConfig.PPO_EPOCHS, 1).set(PpoConfig.RESPONSE_LENGTH, 8).build(),
                new Experiment.Evaluation(false, 3, Experiment.defaults().evaluation().samples(), List.of(), 1), seed);
        Path run = dir.resolve("run");
        new ExperimentRunner(run).train(e, null).close();

        // the same initial model and tokenizer as the runner's, as a checkpoint for --init
        Tokenizer tok = Checkpoint.read(run.resolve("sft/checkpoint")).tokenizer();
        try (Gpt init = Gpt.init(e.model().gpt().withVocabSize(tok.vocabSize()), Device.cpu(), seed)) {
            SftStage.write(init, tok, dir.resolve("init"));
        }
        int rc = new CommandLine(new PlauditCli()).execute("sft", "--pairs", run.resolve("pairs").toString(),
                "--init", dir.resolve("init").toString(), "--out", dir.resolve("cli").toString(),
                "--steps", "8", "--batch", "4", "--lr", "3e-4", "--max-response", "8", "--seed", "5");
        assertEquals(0, rc);
        assertEquals(Files.readString(run.resolve("sft/metrics.csv")), Files.readString(dir.resolve("cli/metrics.csv")));

        rc = new CommandLine(new PlauditCli()).execute("train-rm", "--pairs", run.resolve("pairs").toString(),
                "--sft", run.resolve("sft/checkpoint").toString(), "--out", dir.resolve("rm").toString(),
                "--steps", "8", "--batch", "4", "--lr", "1e-4", "--max-response", "8", "--recenter-prompts", "3",
                "--seed", "5");
        assertEquals(0, rc);
        assertEquals(Files.readString(run.resolve("rm/metrics.csv")), Files.readString(dir.resolve("rm/metrics.csv")));
        // re-centred on the same samples of SFT: the same scores
        try (ScoreModel a = ScoreModel.load(run.resolve("rm/checkpoint"), Device.cpu());
             ScoreModel b = ScoreModel.load(dir.resolve("rm/checkpoint"), Device.cpu())) {
            List<String> prompts = List.of("What is the best way to learn?", "Any tips?");
            List<String> replies = List.of(" Practice every day.", " No.");
            assertArrayEquals(Recipe.scorer(a, Sequences.plain(tok), 8).scoreAll(prompts, replies),
                    Recipe.scorer(b, Sequences.plain(tok), 8).scoreAll(prompts, replies));
        }
    }
}
