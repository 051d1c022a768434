package plaudit.train.pg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import plaudit.model.CausalLm;
import plaudit.model.Scalar;
import plaudit.model.ScoreModel;

import java.util.Arrays;

/**
 * Rows of a rollout as one left-padded tensor: prompt (left padding) then response (right padding), with the
 * attention mask; response token t of a row sits at column {@code P + t} and is predicted at {@code P + t − 1}.
 * Shared by every policy-gradient trainer (PPO, RLOO) for the forward passes over sampled responses.
 */
public record ResponseBatch(NDArray ids, NDArray mask, NDArray responseIds, NDArray responseMask, int promptWidth,
                            int responseWidth, int[] rows) {

    public static ResponseBatch of(NDManager scope, int[][] prompts, int[][] responses, int[] rows) {
        int p = 0, l = 1;
        for (int r : rows) {
            p = Math.max(p, prompts[r].length);
            l = Math.max(l, responses[r].length);
        }
        int w = p + l;
        long[] ids = new long[rows.length * w];
        float[] mask = new float[rows.length * w];
        long[] resp = new long[rows.length * l];
        float[] respMask = new float[rows.length * l];
        for (int i = 0; i < rows.length; i++) {
            int[] pr = prompts[rows[i]], rs = responses[rows[i]];
            for (int j = 0; j < pr.length; j++) {
                ids[i * w + p - pr.length + j] = pr[j];
                mask[i * w + p - pr.length + j] = 1f;
            }
            for (int t = 0; t < rs.length; t++) {
                ids[i * w + p + t] = rs[t];
                mask[i * w + p + t] = 1f;
                resp[i * l + t] = rs[t];
                respMask[i * l + t] = 1f;
            }
        }
        return new ResponseBatch(scope.create(ids, new Shape(rows.length, w)), scope.create(mask, new Shape(rows.length, w)),
                scope.create(resp, new Shape(rows.length, l)), scope.create(respMask, new Shape(rows.length, l)),
                p, l, rows);
    }

    /** The response columns of a host array for this batch's rows, {@code [rows, L]}. */
    public NDArray pick(NDManager scope, float[][] perRow) {
        float[] out = new float[rows.length * responseWidth];
        for (int i = 0; i < rows.length; i++) {
            float[] src = perRow[rows[i]];
            System.arraycopy(src, 0, out, i * responseWidth, Math.min(src.length, responseWidth));
        }
        return scope.create(out, new Shape(rows.length, responseWidth));
    }

    /** One value per row of this batch, {@code [rows]}. */
    public NDArray pick(NDManager scope, double[] perRow) {
        float[] out = new float[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = (float) perRow[rows[i]];
        return scope.create(out, new Shape(rows.length));
    }

    NDIndex predictingColumns() {
        return new NDIndex(":, {}:{}", promptWidth - 1, promptWidth - 1 + responseWidth);
    }

    /**
     * Temperature-scaled logits at the positions that predict the response tokens, {@code [B, L, V]}. Dropout stays
     * off in every policy-gradient forward pass: the ratio π/π_old must compare the same function.
     */
    public NDArray logits(CausalLm model, double temperature) {
        return logits(model, hidden(model), temperature);
    }

    /** Final hidden states at the positions that predict the response tokens, {@code [B, L, C]}. */
    public NDArray hidden(CausalLm model) {
        return model.hidden(ids, mask, null, null, false).get(predictingColumns());
    }

    /** {@link #logits(CausalLm, double)} from hidden states already computed by {@link #hidden}. */
    public static NDArray logits(CausalLm model, NDArray hidden, double temperature) {
        NDArray logits = model.logits(hidden);
        return temperature == 1.0 ? logits : Scalar.div(logits, temperature);
    }

    /** Log-probabilities of the response tokens, {@code [B, L]} (padding columns hold garbage: mask them). */
    public NDArray logProbs(CausalLm model, double temperature) {
        return CausalLm.tokenLogProbs(logits(model, temperature), responseIds);
    }

    /** Value of the state before each response token, {@code [B, L]}. */
    public NDArray values(ScoreModel value) {
        return value.scores(ids, mask, false).get(predictingColumns());
    }

    /** A [B, L] array as host rows. */
    public static float[][] rows(NDArray a) {
        int n = Math.toIntExact(a.getShape().get(0)), l = Math.toIntExact(a.getShape().get(1));
        float[] flat = a.toFloatArray();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) out[i] = Arrays.copyOfRange(flat, i * l, (i + 1) * l);
        return out;
    }
}
