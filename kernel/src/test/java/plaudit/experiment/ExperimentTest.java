package plaudit.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import plaudit.cli.PlauditCli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.data.Fixtures;
import plaudit.model.ScoreModel;
import plaudit.reward.Rewards;
import plaudit.train.ppo.PpoConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static plaudit.train.ppo.PpoConfig.BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.MINI_BATCH_SIZE;
import static plaudit.train.ppo.PpoConfig.PPO_EPOCHS;
import static plaudit.train.ppo.PpoConfig.RESPONSE_LENGTH;
import static plaudit.train.ppo.PpoConfig.SAMPLE_EVERY;
import static plaudit.train.ppo.PpoConfig.STEPS;

class ExperimentTest {

    /** A run of seconds: a small forum, a one-layer model, a few steps per stage. */
    static Experiment micro() {
        return MicroExperiments.micro(new Experiment.Pretrain(4, 8, 1e-3), new Experiment.Sft(4, 8, 3e-4),
                Experiment.RewardModel.of(4, 8, 1e-4),
                PpoConfig.SETTINGS.builder().set(STEPS, 2).set(BATCH_SIZE, 4).set(MINI_BATCH_SIZE, 2).set(PPO_EPOCHS, 1)
                        .set(RESPONSE_LENGTH, 8).set(SAMPLE_EVERY, 1).build(),
                new Experiment.Evaluation(true, 4, 2, List.of(1, 2), 3), 3);
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        Experiment e = micro();
        assertEquals(e, Experiment.fromJson(e.toJson()));
    }

    @Test
    void fieldsLeftOutKeepTheirDefaults() {
        Experiment e = Experiment.fromJson("{\"ppo\": {\"klCoef\": 0.2}, \"data\": {\"forum\": {\"threads\": 42}}}");
        Experiment d = Experiment.defaults();
        assertEquals(0.2, e.ppo().klCoef());
        assertEquals(d.ppo().steps(), e.ppo().steps());
        assertEquals(42, e.data().forum().threads());
        assertEquals(d.data().forum().charm(), e.data().forum().charm());
        assertEquals(d.model(), e.model());
    }

    @Test
    void unknownFieldIsNamed() {
        UserError err = assertThrows(UserError.class, () -> Experiment.fromJson("{\"ppo\": {\"klCoeff\": 0.2}}"));
        assertTrue(err.getMessage().contains("'ppo.klCoeff'"), err.getMessage());
        assertTrue(err.getMessage().contains("klCoef"), err.getMessage());
    }

    @Test
    void invalidValuesFailWithTheKernelsMessage() {
        UserError err = assertThrows(UserError.class, () -> Experiment.fromJson("{\"ppo\": {\"batchSize\": 6, \"miniBatchSize\": 4}}"));
        assertTrue(err.getMessage().contains("mini_batch_size"), err.getMessage());
        err = assertThrows(UserError.class, () -> Experiment.fromJson("{\"model\": {\"nLayer\": \"four\"}}"));
        assertTrue(err.getMessage().contains("model.nLayer"), err.getMessage());
        err = assertThrows(UserError.class, () -> Experiment.fromJson("{\"data\": {\"source\": \"myspace\", \"files\": [\"x\"]}}"));
        assertTrue(err.getMessage().contains("myspace") && err.getMessage().contains("stackexchange"), err.getMessage());
    }

    @Test
    void rewardModelRecipeIsCheckedAndNamed() {
        UserError err = assertThrows(UserError.class, () -> Experiment.fromJson("{\"rewardModel\": {\"readout\": \"max\"}}"));
        assertTrue(err.getMessage().contains("rewardModel.readout = max") && err.getMessage().contains("last or mean"), err.getMessage());
        err = assertThrows(UserError.class, () -> Experiment.fromJson("{\"rewardModel\": {\"sftReplies\": 1}}"));
        assertTrue(err.getMessage().contains("rewardModel.sftReplies"), err.getMessage());
        err = assertThrows(UserError.class, () -> Experiment.fromJson("{\"rewardModel\": {\"sftReplies\": 2}, "
                + "\"data\": {\"source\": \"shp\", \"files\": [\"x.jsonl\"]}}"));
        assertTrue(err.getMessage().contains("synthetic forum"), err.getMessage());
        Experiment e = Experiment.fromJson("{\"rewardModel\": {\"readout\": \"mean\", \"sftReplies\": 3}}");
        assertEquals(ScoreModel.Readout.MEAN, e.rewardModel().scoreReadout());
        assertEquals(Experiment.defaults().rewardModel().steps(), e.rewardModel().steps());
        assertEquals(Experiment.defaults().rewardModel().replyReaders(), e.rewardModel().replyReaders());
    }

    @Test
    void runnerRunsEveryStageAndComposesTheReward(@TempDir Path out) {
        // the reward PPO sees is the reward model plus a constant: the logged scores move by exactly that constant
        ExperimentResult r = new ExperimentRunner(out.resolve("a"))
                .run(micro(), rm -> Rewards.sum(List.of(rm, Rewards.named("one", (p, x) -> 1.0)), new double[] {1, 1}));
        ExperimentResult plain = new ExperimentRunner(out.resolve("b")).run(micro(), null);
        for (String m : List.of("noise_ceiling", "pairs_train", "sft_val_loss", "rm_val_accuracy", "rm_gold_agreement",
                "sft_gold", "ppo_gold", "ppo_gold_winrate_vs_sft", "ppo_kl", "bon_gold_max_n")) {
            assertTrue(Double.isFinite(r.value(m)), m + " = " + r.value(m));
        }
        assertEquals(List.of("pretrain", "sft", "rm", "ppo"), List.copyOf(r.metrics().keySet()));
        assertEquals(plain.value("sft_gold"), r.value("sft_gold"), 1e-9);
        double first = r.metrics().get("ppo").doubleColumn("objective/scores").get(0);
        double firstPlain = plain.metrics().get("ppo").doubleColumn("objective/scores").get(0);
        assertEquals(firstPlain + 1.0, first, 1e-4);
        assertEquals(List.of("step", "prompt", "response", "score", "gold"), r.samples().get("ppo").columnNames());
        assertEquals(2, r.bestOfN().rowCount());
        assertTrue(Files.isRegularFile(r.checkpoints().get("sft").resolve("config.json"))
                || Files.isDirectory(r.checkpoints().get("sft")));
        assertTrue(Files.isRegularFile(out.resolve("a/summary.csv")));
        assertTrue(Files.isRegularFile(out.resolve("a/plots/ppo.svg")));
        assertTrue(Files.isRegularFile(out.resolve("a/pairs/train.jsonl")));
        assertNotEquals(0, r.data().rowCount());
    }

    @Test
    void realDataRunsWithoutGold(@TempDir Path out) {
        Experiment m = micro();
        Experiment.Rules all = new Experiment.Rules(2.0, 0, 0, 50, 10, true, true, 0, List.of(1.0, 0.0, 0.0), 0);
        Experiment e = new Experiment(new Experiment.Data("shp",
                List.of(Fixtures.path("shp/askculinary_train.jsonl").toString()), m.data().forum(), null, all),
                m.tokenizer(), m.model().gpt(), new Experiment.Pretrain(0, 8, 1e-3), m.sft(), m.rewardModel(), m.ppo(),
                m.evaluation(), "cpu", 3);
        ExperimentResult r = new ExperimentRunner(out).run(e, null);
        assertEquals(List.of("sft", "rm", "ppo"), List.copyOf(r.metrics().keySet()), "pretraining skipped at 0 steps");
        assertTrue(Double.isNaN(r.value("sft_gold")) && Double.isNaN(r.value("noise_ceiling")), "no gold for real data");
        assertTrue(Double.isFinite(r.value("ppo_kl")) && Double.isFinite(r.value("rm_val_accuracy")));
        assertTrue(r.bestOfN().doubleColumn("gold").isMissing().size() == r.bestOfN().rowCount());
    }

    @Test
    void aForumFolderIsReadInsteadOfGenerated(@TempDir Path out) throws Exception {
        Path forum = out.resolve("forum");
        assertEquals(0, new CommandLine(new PlauditCli()).execute("forum", "--out", forum.toString(),
                "--threads", "120", "--seed", "5", "--corpus", forum.resolve("corpus.txt").toString()));
        Experiment m = micro();
        Experiment e = new Experiment(new Experiment.Data(Experiment.SYNTHETIC, List.of(forum.toString()),
                m.data().forum(), null, m.data().rules()), m.tokenizer(), m.model().gpt(), m.pretrain(), m.sft(),
                m.rewardModel(), m.ppo(), m.evaluation(), "cpu", 3);
        ExperimentResult r;
        try (ExperimentRunner.Session session = new ExperimentRunner(out.resolve("run")).train(e, null)) {
            UserError taken = assertThrows(UserError.class, () -> session.ppo("rm", e.ppo(), true));
            assertTrue(taken.getMessage().contains("'rm'") && taken.getMessage().contains("another name"), taken.getMessage());
            session.ppo("ppo", e.ppo(), true);
            r = session.result();
        }
        double ceiling = new ObjectMapper().readTree(
                forum.resolve("forum_meta.json").toFile()).path("noise_ceiling").path("agreement").asDouble();
        assertEquals(ceiling, r.value("noise_ceiling"), 0.0);
        assertTrue(r.value("pairs_train") > 0 && Double.isFinite(r.value("ppo_gold")), "gold is known for a forum folder");
        assertTrue(Files.notExists(out.resolve("run/forum")), "nothing generated");

        Files.delete(forum.resolve("forum_meta.json"));
        UserError err = assertThrows(UserError.class, () -> new ExperimentRunner(out.resolve("run2")).run(e, null));
        assertTrue(err.getMessage().contains("forum_meta.json") && err.getMessage().contains("plaudit forum"),
                err.getMessage());
    }

    @Test
    void aRewardThatIsNotFiniteStopsTheRunNamingIt(@TempDir Path out) {
        UserError err = assertThrows(UserError.class, () -> new ExperimentRunner(out)
                .run(micro(), rm -> Rewards.named("broken", (p, x) -> Double.NaN)));
        assertTrue(err.getMessage().contains("'broken'"), err.getMessage());
    }
}
