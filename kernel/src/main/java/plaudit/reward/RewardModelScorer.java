package plaudit.reward;

import ai.djl.ndarray.NDManager;
import plaudit.data.RewardFunction;
import plaudit.model.NoGrad;
import plaudit.model.ScoreModel;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;
import plaudit.train.Completions;
import plaudit.train.Sequences;
import plaudit.train.pg.SampledReward;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained reward model as a {@link RewardFunction}: the score of prompt + response + its end (end-of-text, or the
 * chat template's end of turn: {@link Turns}) through the model's readout, computed in batches, the ids made as the
 * reward model was trained on them. Composable like any other reward function.
 *
 * <p>In a rollout ({@link SampledReward}) with a chat template it scores the ids the policy sampled, as sampled; with
 * plain text it scores the decoded text made ids again, as Plaudit always has (a response cut at the length limit then
 * still ends with end-of-text, as every reply the reward model saw did).
 */
public final class RewardModelScorer implements RewardFunction, SampledReward {
    private final ScoreModel rm;
    private final Turns turns;
    private final int maxResponse;
    private final int batchSize;

    public RewardModelScorer(ScoreModel rm, Tokenizer tok, int maxResponse, int batchSize) {
        this(rm, Sequences.plain(tok), maxResponse, batchSize);
    }

    public RewardModelScorer(ScoreModel rm, Turns turns, int maxResponse, int batchSize) {
        this.rm = rm;
        this.turns = turns;
        this.maxResponse = maxResponse;
        this.batchSize = batchSize;
    }

    @Override
    public String name() {
        return "reward_model";
    }

    @Override
    public double score(String prompt, String response) {
        return scoreAll(List.of(prompt), List.of(response))[0];
    }

    /**
     * Shifts the reward so that the given responses (the SFT policy's own samples) score mean 0, as Stiennon et al.
     * normalise their reward model; the KL coefficient then trades KL against a reward on a known scale.
     *
     * @return the shift added to every score
     */
    public double recenterOn(Completions sftSamples) {
        double mean = Arrays.stream(scoreAll(sftSamples.prompts(), sftSamples.responses())).average().orElse(0);
        rm.shift(-mean);
        return -mean;
    }

    @Override
    public double[] scoreAll(List<String> prompts, List<String> responses) {
        int blockSize = rm.trunk().contextLength();
        List<Sequences.Seq> seqs = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            seqs.add(Sequences.join(turns, prompts.get(i), responses.get(i), blockSize, maxResponse));
        }
        return scores(seqs);
    }

    @Override
    public double[] scoreSampled(List<String> prompts, int[][] promptIds, int[][] responseIds, List<String> texts) {
        if (!turns.chatTemplate()) return scoreAll(prompts, texts);
        int blockSize = rm.trunk().contextLength();
        List<Sequences.Seq> seqs = new ArrayList<>(promptIds.length);
        for (int i = 0; i < promptIds.length; i++) {
            seqs.add(Sequences.join(promptIds[i], responseIds[i], blockSize, Math.max(maxResponse, responseIds[i].length)));
        }
        return scores(seqs);
    }

    private synchronized double[] scores(List<Sequences.Seq> seqs) {
        double[] out = new double[seqs.size()];
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < out.length; from += batchSize) {
                int to = Math.min(out.length, from + batchSize);
                List<Sequences.Seq> batch = seqs.subList(from, to);
                try (NDManager scope = rm.manager().newSubManager(rm.device())) {
                    float[] s = rm.sequenceScores(Sequences.ids(scope, batch, Math.max(0, turns.tokenizer().eosId())), null,
                            Sequences.lastIndex(batch), false).toFloatArray();
                    for (int i = from; i < to; i++) out[i] = s[i - from];
                }
            }
        }
        return out;
    }
}
