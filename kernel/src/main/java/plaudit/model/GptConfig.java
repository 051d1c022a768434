package plaudit.model;

import plaudit.UserError;

/**
 * Shape of a GPT-2 style decoder (names as in GPT-2 / nanoGPT).
 *
 * @param nLayer    number of transformer blocks
 * @param nHead     attention heads per block; must divide {@code nEmbd}
 * @param nEmbd     width of the residual stream
 * @param blockSize longest sequence (context) the model accepts: size of the learned position table
 * @param vocabSize number of token ids (GPT-2: 50257)
 * @param dropout   dropout probability on attention weights, residual branches and embeddings while training
 */
public record GptConfig(int nLayer, int nHead, int nEmbd, int blockSize, int vocabSize, double dropout) {

    public GptConfig {
        require(nLayer > 0, "n_layer", nLayer, "a positive number of blocks");
        require(nHead > 0, "n_head", nHead, "a positive number of heads");
        require(nEmbd > 0 && nEmbd % nHead == 0, "n_embd", nEmbd, "a positive multiple of n_head (" + nHead + ")");
        require(blockSize > 0, "block_size", blockSize, "a positive context length");
        require(vocabSize > 0, "vocab_size", vocabSize, "a positive vocabulary size");
        require(dropout >= 0 && dropout < 1, "dropout", dropout, "a probability in [0, 1)");
        ModelBudget.checkShape(nLayer, nEmbd, blockSize, vocabSize);
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) throw new UserError("model config: " + key + " = " + value + " is invalid; expected " + expected);
    }

    public int headSize() {
        return nEmbd / nHead;
    }

    /** Parameter count with the tied input/output embedding counted once (exact: {@link ModelBudget} bounds it). */
    public long parameterCount() {
        long c = nEmbd;
        long perBlock = 2L * 2 * c          // ln_1, ln_2
                + c * 3 * c + 3 * c          // c_attn
                + c * c + c                  // attn.c_proj
                + c * 4 * c + 4 * c          // mlp.c_fc
                + 4 * c * c + c;             // mlp.c_proj
        return (long) vocabSize * c + (long) blockSize * c + nLayer * perBlock + 2 * c;
    }

    public GptConfig withVocabSize(int v) {
        return new GptConfig(nLayer, nHead, nEmbd, blockSize, v, dropout);
    }

    public GptConfig withDropout(double p) {
        return new GptConfig(nLayer, nHead, nEmbd, blockSize, vocabSize, p);
    }
}
