package plaudit.experiment;

import plaudit.data.Comparison;
import plaudit.data.ComparisonsJsonl;
import plaudit.data.RewardFunction;
import plaudit.eval.Measurement;
import plaudit.model.CausalLm;
import plaudit.model.Gpt;
import plaudit.model.LoraLm;
import plaudit.model.ModelFolder;
import plaudit.model.ScoreModel;
import plaudit.report.MetricsLog;
import plaudit.report.RunPlots;
import plaudit.reward.RewardModelScorer;
import plaudit.sim.ReplyVotes;
import plaudit.text.Turns;
import plaudit.train.Completions;
import plaudit.train.RewardTrainer;
import plaudit.train.SupervisedLoop;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reward model: SFT's trunk with a new scalar head, Bradley–Terry on the training comparisons (plus, on the
 * synthetic forum, the forum's votes on SFT's replies), then re-centred so that SFT's own samples score mean 0
 * (Stiennon et al.), so β trades KL against a reward near 0. Writes {@code rm/metrics.csv}, {@code rm/calibration.csv}
 * and {@code rm/checkpoint}; records {@code rm_val_accuracy}, {@code rm_gold_agreement}, {@code rm_shift} and
 * {@code sft_gold}. {@code plaudit train-rm} runs {@link #train} and {@link #sftSamples} with the same recipe. With
 * LoRA the trunk is adapters of its own on the SFT model, also written as a PEFT folder ({@code rm/adapter}).
 */
public final class RewardModelStage {
    /**
     * @param sftSamples SFT's responses to the evaluation prompts: what the reward is re-centred on and what every win
     *                   rate compares with
     * @param sftGold    their gold, null without a gold preference
     */
    record Result(ScoreModel rm, RewardModelScorer proxy, Completions sftSamples, double[] sftGold) {
    }

    /** A trained reward model's held-out evaluation and its metrics by step. */
    public record Trained(RewardTrainer.Evaluation evaluation, Table metrics) {
    }

    private RewardModelStage() {
    }

    static Result run(Experiment e, RunState s, DataStage.Result data, Turns turns, CausalLm sft) throws IOException {
        int responseLength = e.ppo().responseLength();
        RewardFunction gold = data.gold();
        List<String> evalPrompts = data.splits().heldOutPrompts(e.evaluation().prompts());
        if (s.completed("rm")) {
            ScoreModel rm = load(e, s, sft);
            s.resumed("rm", "reward model", List.of("rm"));
            s.plot("reward_model", RunPlots.rewardModel(Table.read().csv(s.out.resolve("rm/calibration.csv").toFile()),
                    s.summary.get("rm_val_accuracy"), s.summary.get("rm_gold_agreement"), s.summary.get("noise_ceiling")));
            // re-centred before it was saved; the samples are drawn again, as seeded, to measure against
            Completions samples = sftSamples(sft, turns, evalPrompts, e.evaluation().samples(), responseLength, e.seed());
            return new Result(rm, Recipe.scorer(rm, turns, responseLength), samples, goldOf(gold, samples));
        }
        s.stage("reward model");
        Experiment.RewardModel rt = e.rewardModel();
        List<Comparison> train = data.splits().train();
        List<Comparison> rmTrain = rt.sftReplies() > 0 ? withReplyVotes(e, s, gold, train, turns, sft) : train;
        // with LoRA, a second view on SFT's weights (the policy runs' reference): one copy of them serves both
        CausalLm trunk = e.lora().enabled() ? e.lora().apply(sft, e.seed() + Recipe.LORA_RM_SEED)
                : copy(sft, s.out.resolve("sft/checkpoint"));
        ScoreModel rm = ScoreModel.withNewHead(trunk, e.seed(), rt.scoreReadout());
        try {
            Trained t = train(rm, turns, rmTrain, data.splits().validation(), gold, Recipe.rewardModel(
                    rt, responseLength, Recipe.RM_USE_MARGIN,
                    Recipe.RM_CENTER_COEF, e.seed()), s.out.resolve("rm"), s.control("rm", rt.steps()));
            RewardTrainer.Evaluation ev = t.evaluation();
            s.metrics.put("rm", t.metrics());
            s.summary.put("rm_val_accuracy", ev.accuracy());
            if (gold != null) s.summary.put("rm_gold_agreement", ev.goldAgreement());
            s.plot("reward_model", RunPlots.rewardModel(ev.accuracyByRatio(), ev.accuracy(),
                    gold != null ? ev.goldAgreement() : null, s.summary.get("noise_ceiling")));

            RewardModelScorer proxy = Recipe.scorer(rm, turns, responseLength);
            Completions samples = sftSamples(sft, turns, evalPrompts, e.evaluation().samples(), responseLength, e.seed());
            double[] sftGold = goldOf(gold, samples);
            s.summary.put("rm_shift", proxy.recenterOn(samples));
            if (gold != null) s.summary.put("sft_gold", Measurement.mean(sftGold));
            if (rm.trunk() instanceof LoraLm view) view.save(adapter(s), s.out.resolve("sft/checkpoint").toString());
            s.checkpoint("rm", dir -> rm.save(dir, turns.tokenizer()));
            s.dropProgress("rm");
            return new Result(rm, proxy, samples, sftGold);
        } catch (IOException | RuntimeException | Error ex) {
            rm.close();
            throw ex;
        }
    }

    /**
     * Trains {@code rm} in place, validated on {@code val}, ids made by {@code turns}; writes {@code DIR/metrics.csv}
     * and {@code DIR/calibration.csv} (held-out accuracy by score-ratio bucket).
     *
     * @param gold null without a gold preference
     */
    public static Trained train(ScoreModel rm, Turns turns, List<Comparison> train, List<Comparison> val,
                                RewardFunction gold, RewardTrainer.Config cfg, Path dir, SupervisedLoop.Control control) {
        try (MetricsLog log = RunState.metricsLog("reward model", dir.resolve("metrics.csv"), control)) {
            RewardTrainer.Evaluation ev = RewardTrainer.train(rm, turns, train, val, gold, cfg, log, control);
            ev.accuracyByRatio().write().csv(dir.resolve("calibration.csv").toFile());
            return new Trained(ev, log.table());
        }
    }

    /**
     * SFT's responses to {@code prompts}, {@code perPrompt} each, asked and read by {@code turns}: what the reward is
     * re-centred on and what every win rate compares with. One draw (seed + {@link Recipe#SFT_SAMPLES_SEED}) for a
     * run and for its resumption, so that both measure against the same responses.
     */
    public static Completions sftSamples(CausalLm sft, Turns turns, List<String> prompts, int perPrompt,
                                         int responseLength, long seed) {
        return Completions.sample(sft, turns, prompts, perPrompt, responseLength, Recipe.SAMPLING_TEMPERATURE,
                seed + Recipe.SFT_SAMPLES_SEED);
    }

    /**
     * The training comparisons plus the synthetic forum's votes on SFT's replies: {@code sftReplies} replies to each
     * training prompt, voted on by {@code replyReaders} of the forum's readers; written to
     * {@code pairs/reply_votes.jsonl}. Records {@code reply_vote_pairs}, {@code reply_vote_ties} and
     * {@code reply_vote_gold_agreement}.
     */
    private static List<Comparison> withReplyVotes(Experiment e, RunState s, RewardFunction gold,
                                                   List<Comparison> train, Turns turns, CausalLm sft) throws IOException {
        Experiment.RewardModel rt = e.rewardModel();
        s.stage("votes on SFT's replies: " + rt.sftReplies() + " per training prompt, " + rt.replyReaders()
                + " readers each");
        Map<String, Comparison> byPrompt = new LinkedHashMap<>();
        for (Comparison c : train) byPrompt.putIfAbsent(c.prompt(), c);
        List<Comparison> prompts = new ArrayList<>(byPrompt.values());
        Completions replies = Completions.sample(sft, turns, new ArrayList<>(byPrompt.keySet()), rt.sftReplies(),
                e.ppo().responseLength(), Recipe.SAMPLING_TEMPERATURE, e.seed() + Recipe.REPLY_VOTES_SEED);
        ReplyVotes.Result votes = new ReplyVotes(e.data().forum().config(e.seed()), rt.replyReaders())
                .compare(prompts, replies.responses(), rt.sftReplies(), e.seed());
        ComparisonsJsonl.write(s.out.resolve("pairs/reply_votes.jsonl"), votes.pairs(), false);
        s.summary.put("reply_vote_pairs", (double) votes.pairs().size());
        s.summary.put("reply_vote_ties", (double) votes.ties());
        if (gold != null) s.summary.put("reply_vote_gold_agreement", votes.goldAgreement());
        List<Comparison> all = new ArrayList<>(train);
        all.addAll(votes.pairs());
        return all;
    }

    private static double[] goldOf(RewardFunction gold, Completions samples) {
        return gold == null ? null : gold.scoreAll(samples.prompts(), samples.responses());
    }

    /**
     * With LoRA, the reward model's adapters as a PEFT folder ({@code rm/adapter}) on the SFT model: what the value
     * model of a policy run starts from, a view of its own on the same base.
     */
    static Path adapter(RunState s) {
        return s.out.resolve("rm/adapter");
    }

    /** A completed stage's reward model; with LoRA its adapters on {@code sft}, so that no second base is held. */
    private static ScoreModel load(Experiment e, RunState s, CausalLm sft) {
        ScoreModel merged = ScoreModel.load(s.out.resolve("rm/checkpoint"), sft.device());
        if (!e.lora().enabled()) return merged;
        try (merged) {
            return ScoreModel.withHead(LoraLm.load(sft, adapter(s)), merged.headParameters(), merged.readout());
        }
    }

    /**
     * A trainable copy of {@code m} on its device: a GPT-2 model from its parameters, any other family reopened from
     * {@code checkpoint}, the folder {@code m} was written to.
     */
    static CausalLm copy(CausalLm m, Path checkpoint) {
        if (m instanceof Gpt gpt) return Gpt.fromParameters(gpt.config(), gpt.parameters(), gpt.device());
        return ModelFolder.open(checkpoint, m.device());
    }
}
