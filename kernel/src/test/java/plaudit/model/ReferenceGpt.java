package plaudit.model;

import java.util.Map;

/**
 * GPT-2 forward pass in plain Java doubles, written from the GPT-2 paper / nanoGPT equations and sharing no code with
 * {@link Gpt}: one unpadded sequence, no cache, no dropout. Weights are Hugging Face Conv1D {@code [in, out]}, row-major.
 */
final class ReferenceGpt {

    private final GptConfig cfg;
    private final Map<String, float[]> p;

    ReferenceGpt(GptConfig cfg, Map<String, float[]> params) {
        this.cfg = cfg;
        this.p = params;
    }

    /** Logits {@code [T][V]} for the token ids of one sequence. */
    double[][] logits(int[] ids) {
        int t = ids.length;
        int c = cfg.nEmbd();
        float[] wte = p.get("transformer.wte.weight");
        float[] wpe = p.get("transformer.wpe.weight");
        double[][] x = new double[t][c];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < c; j++) x[i][j] = wte[ids[i] * c + j] + wpe[i * c + j];
        }
        for (int l = 0; l < cfg.nLayer(); l++) {
            String h = "transformer.h." + l + ".";
            double[][] a = layerNorm(x, h + "ln_1");
            double[][] qkv = conv1d(a, h + "attn.c_attn", c, 3 * c);
            add(x, conv1d(causalAttention(qkv), h + "attn.c_proj", c, c));
            double[][] m = conv1d(layerNorm(x, h + "ln_2"), h + "mlp.c_fc", c, 4 * c);
            for (double[] row : m) {
                for (int j = 0; j < row.length; j++) {
                    double u = row[j];
                    row[j] = 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)));
                }
            }
            add(x, conv1d(m, h + "mlp.c_proj", 4 * c, c));
        }
        double[][] f = layerNorm(x, "transformer.ln_f");
        double[][] out = new double[t][cfg.vocabSize()];
        for (int i = 0; i < t; i++) {
            for (int v = 0; v < cfg.vocabSize(); v++) {
                double s = 0;
                for (int j = 0; j < c; j++) s += f[i][j] * wte[v * c + j];
                out[i][v] = s;
            }
        }
        return out;
    }

    private double[][] causalAttention(double[][] qkv) {
        int t = qkv.length;
        int c = cfg.nEmbd();
        int hs = cfg.headSize();
        double[][] y = new double[t][c];
        for (int head = 0; head < cfg.nHead(); head++) {
            int q0 = head * hs;
            int k0 = c + head * hs;
            int v0 = 2 * c + head * hs;
            for (int i = 0; i < t; i++) {
                double[] w = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= i; s++) {
                    double dot = 0;
                    for (int d = 0; d < hs; d++) dot += qkv[i][q0 + d] * qkv[s][k0 + d];
                    w[s] = dot / Math.sqrt(hs);
                    max = Math.max(max, w[s]);
                }
                double z = 0;
                for (int s = 0; s <= i; s++) z += w[s] = Math.exp(w[s] - max);
                for (int s = 0; s <= i; s++) {
                    for (int d = 0; d < hs; d++) y[i][q0 + d] += w[s] / z * qkv[s][v0 + d];
                }
            }
        }
        return y;
    }

    private double[][] layerNorm(double[][] x, String prefix) {
        float[] g = p.get(prefix + ".weight");
        float[] b = p.get(prefix + ".bias");
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double mean = 0;
            for (double v : x[i]) mean += v;
            mean /= x[i].length;
            double var = 0;
            for (double v : x[i]) var += (v - mean) * (v - mean);
            var /= x[i].length;
            out[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) out[i][j] = (x[i][j] - mean) / Math.sqrt(var + 1e-5) * g[j] + b[j];
        }
        return out;
    }

    /** {@code x · W + b} with {@code W} stored {@code [in, out]}. */
    private double[][] conv1d(double[][] x, String prefix, int in, int out) {
        float[] w = p.get(prefix + ".weight");
        float[] b = p.get(prefix + ".bias");
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int k = 0; k < in; k++) s += x[i][k] * w[k * out + o];
                y[i][o] = s;
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] d) {
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) x[i][j] += d[i][j];
        }
    }
}
