package plaudit.dsl

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import plaudit.UserError
import plaudit.data.RewardFunction
import plaudit.experiment.Experiment
import plaudit.model.ScoreModel
import java.nio.file.Path

class ExperimentDslTest {
    @Test
    fun `blocks build the Java experiment and change only what they name`() {
        val exp = experiment {
            upvotes(reddit("RS.zst", "RC.zst")) { minScoreRatio = 3.0; split(80, 10, 10) }
            model { nLayer = 3 }
            sft { steps = 7 }
            ppo { klCoef = 0.02; adaptiveKl(target = 4.0); epochs = 2 }
            evaluation { bestOfN(1, 4) }
            device = gpu(1)
            seed = 9
        }.experiment
        val d = Experiment.defaults()
        assertEquals("reddit", exp.data().source())
        assertEquals(listOf("RS.zst", "RC.zst"), exp.data().files())
        assertEquals(3.0, exp.data().rules().minScoreRatio())
        assertEquals(listOf(80.0, 10.0, 10.0), exp.data().rules().split())
        assertEquals(d.data().rules().minPostScore(), exp.data().rules().minPostScore())
        assertEquals(3, exp.model().nLayer())
        assertEquals(d.model().nEmbd(), exp.model().nEmbd())
        assertEquals(7, exp.sft().steps())
        assertEquals(d.sft().lr(), exp.sft().lr())
        assertEquals(0.02, exp.ppo().klCoef())
        assertTrue(exp.ppo().adaptiveKl())
        assertEquals(4.0, exp.ppo().targetKl())
        assertEquals(2, exp.ppo().ppoEpochs())
        assertEquals(d.ppo().steps(), exp.ppo().steps())
        assertEquals(listOf(1, 4), exp.evaluation().bestOfN())
        assertEquals("gpu:1", exp.device())
        assertEquals(9L, exp.seed())
        assertEquals(exp, Experiment.fromJson(exp.toJson()))
    }

    @Test
    fun `the reward model's readout and votes on SFT replies are DSL settings`() {
        val exp = experiment { rewardModel { steps = 9; readout = "mean"; sftReplies = 2 } }
        val rm = exp.experiment.rewardModel()
        assertEquals(ScoreModel.Readout.MEAN, rm.scoreReadout())
        assertEquals(2, rm.sftReplies())
        assertEquals(9, rm.steps())
        assertEquals(Experiment.defaults().rewardModel().lr(), rm.lr())
        assertTrue(exp.toString().contains("rewardModel { steps = 9; batchSize = 16; lr = 1.0E-4; readout = \"mean\"; sftReplies = 2; replyReaders = 30 }"), exp.toString())
        assertTrue(assertThrows<UserError> { experiment { upvotes(shp("x.jsonl")); rewardModel { sftReplies = 2 } } }
            .message!!.contains("synthetic forum"))
    }

    @Test
    fun `defaults are visible as the DSL and as a table`() {
        val exp = experiment { syntheticForum { threads = 77 } }
        val text = exp.toString()
        assertTrue(text.contains("threads = 77") && text.contains("ppo { steps = 100; batchSize = 32") && text.contains("minScoreRatio = 2.0"), text)
        val settings = exp.settings()
        val row = settings.stringColumn("setting").asList().indexOf("ppo.klCoef")
        assertEquals("0.05", settings.stringColumn("value").get(row))
    }

    @Test
    fun `the settings table and the printed form use the DSL's names`() {
        val exp = experiment { ppo { epochs = 2; adaptiveKl(target = 4.0, horizon = 320.0) } }
        val names = exp.settings().stringColumn("setting").asList()
        val value = { name: String -> exp.settings().stringColumn("value").get(names.indexOf(name)) }
        assertEquals("2", value("ppo.epochs"))
        assertEquals("true", value("ppo.adaptiveKl"))
        assertEquals("4.0", value("ppo.adaptiveKl.target"))
        assertEquals("320.0", value("ppo.adaptiveKl.horizon"))
        assertTrue(names.none { it == "ppo.ppoEpochs" || it == "ppo.targetKl" || it == "ppo.klHorizon" }, names.toString())
        val text = exp.toString()
        assertTrue(text.contains("epochs = 2;") && text.contains("klCoef = 0.05; adaptiveKl(target = 4.0, horizon = 320.0); clipRange = 0.2"), text)
        assertTrue(!PpoBuilder().toString().contains("adaptiveKl"), "a fixed β prints as klCoef alone")
        // the printed form is the DSL: run as a block, it gives the same config
        val printed = PpoBuilder(exp.experiment.ppo()).toString()
        assertTrue(printed.startsWith("ppo { steps = 100; batchSize = 32; miniBatchSize = 8; epochs = 2; lr = 5.0E-5;"), printed)
    }

    @Test
    fun `inside a block, reward(name) still makes a reward function and reward { } sets the experiment's`() {
        var made: RewardFunction? = null
        experiment {
            made = reward("inner") { _, _ -> 2.0 }
            reward { rm -> rm + made!! }
        }
        assertEquals("inner", made!!.name())
    }

    @Test
    fun `bad settings fail naming them`() {
        assertTrue(assertThrows<UserError> { experiment { ppo { batchSize = 6; miniBatchSize = 4 } } }.message!!.contains("mini_batch_size"))
        assertTrue(assertThrows<UserError> { experiment { upvotes(shp()) } }.message!!.contains("needs files"))
    }

    @Test
    fun `reward lambdas compose by weight, clamp and gate`() {
        val long = reward("long") { _, r -> r.length.toDouble() }
        val polite = reward("polite") { _, r -> if ("please" in r) 1.0 else 0.0 }
        val r = 0.5 * long + 2.0 * polite - polite
        assertEquals("0.5·long + 2·polite + -1·polite", r.name())
        assertEquals(0.5 * 10 + 1.0, r.score("p", "please!!!!"), 1e-12)
        assertEquals(doubleArrayOf(1.5, 6.0).toList(), r.scoreAll(listOf("a", "b"), listOf("abc", "please!!!!")).toList())
        assertEquals(3.0, clamp(long, 0.0, 3.0).score("p", "abcdef"))
        val gated = gate(long, penalty = -1.0, name = "has a link") { _, resp -> "http" in resp }
        assertEquals(-1.0, gated.score("p", "see http://x"))
        assertEquals(3.0, gated.score("p", "abc"))
        assertEquals(4.0, mapScores(long, "sq") { it * it }.score("p", "ab"))
    }

    @Test
    fun `a small experiment runs through the DSL with a custom reward`(@TempDir dir: Path) {
        val short = reward("short") { _, r -> -r.length / 10.0 }
        val result = plaudit {
            tinySizes()
            reward { rm -> rm + 0.5 * short }
            runner = local(dir.toString())
        }
        assertTrue(result.value("ppo_gold").isFinite())
        assertEquals(listOf("step", "prompt", "response", "score", "gold"), result.ppoSamples().columnNames())
        assertEquals(3, result.metrics("ppo").rowCount(), "a row per PPO step")
        val cmp = compare("a" to result, "b" to result)
        assertEquals(result.value("sft_gold"), cmp.doubleColumn("b").get(cmp.stringColumn("metric").indexOf("sft_gold")))
        assertTrue(compareCurves("objective/kl", "a" to result).toSvg().contains("<svg"))
        assertTrue(dir.resolve("summary.csv").toFile().isFile)
    }
}
