package plaudit.reward;

import plaudit.data.RewardFunction;

import plaudit.train.Completions;
import plaudit.train.RewardTrainer;
import plaudit.train.Sequences;

import plaudit.model.NoGrad;
import ai.djl.ndarray.NDManager;
import plaudit.model.ScoreModel;
import plaudit.text.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained reward model as a {@link RewardFunction}: the score of prompt + response + end-of-text through the
 * model's readout, computed in batches. Composable like any other reward function.
 */
public final class RewardModelScorer implements RewardFunction {
    private final ScoreModel rm;
    private final Tokenizer tok;
    private final int maxResponse;
    private final int batchSize;

    public RewardModelScorer(ScoreModel rm, Tokenizer tok, int maxResponse, int batchSize) {
        this.rm = rm;
        this.tok = tok;
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
    public synchronized double[] scoreAll(List<String> prompts, List<String> responses) {
        int blockSize = rm.trunk().contextLength();
        double[] out = new double[prompts.size()];
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < out.length; from += batchSize) {
                int to = Math.min(out.length, from + batchSize);
                List<Sequences.Seq> seqs = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    seqs.add(Sequences.join(tok.encode(prompts.get(i)), RewardTrainer.withEos(tok, responses.get(i)),
                            blockSize, maxResponse));
                }
                try (NDManager scope = rm.manager().newSubManager(rm.device())) {
                    float[] s = rm.sequenceScores(Sequences.ids(scope, seqs, Math.max(0, tok.eosId())), null,
                            Sequences.lastIndex(seqs), false).toFloatArray();
                    for (int i = from; i < to; i++) out[i] = s[i - from];
                }
            }
        }
        return out;
    }
}
