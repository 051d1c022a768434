package plaudit.dsl

import plaudit.model.GptConfig

/** Marks Plaudit's builder scopes so that an inner block cannot call an outer block's setters by accident. */
@DslMarker
annotation class PlauditDsl

/**
 * The shape of a GPT-2 style decoder, written as a block:
 * ```
 * val cfg = gpt { nLayer = 4; nHead = 4; nEmbd = 128; blockSize = 128 }
 * ```
 * Defaults are a small model that trains on a laptop CPU in minutes (see [toString]).
 */
@PlauditDsl
class GptBuilder {
    /** Transformer blocks (GPT-2 small: 12). */
    var nLayer: Int = 4
    /** Attention heads per block; must divide [nEmbd]. */
    var nHead: Int = 4
    /** Width of the residual stream. */
    var nEmbd: Int = 128
    /** Longest context in tokens. */
    var blockSize: Int = 128
    /** Vocabulary size; usually taken from the tokenizer. */
    var vocabSize: Int = 2048
    /** Dropout while training. */
    var dropout: Double = 0.0

    /** Starts from an existing config (the experiment's current model), so a block changes only what it names. */
    fun from(c: GptConfig): GptBuilder = apply {
        nLayer = c.nLayer(); nHead = c.nHead(); nEmbd = c.nEmbd(); blockSize = c.blockSize(); vocabSize = c.vocabSize()
        dropout = c.dropout()
    }

    fun build(): GptConfig = GptConfig(nLayer, nHead, nEmbd, blockSize, vocabSize, dropout)

    override fun toString(): String =
        "gpt { nLayer = $nLayer; nHead = $nHead; nEmbd = $nEmbd; blockSize = $blockSize; vocabSize = $vocabSize; dropout = $dropout }"
}

/** Builds a [GptConfig]; invalid values fail with a message naming the key (e.g. `n_embd`). */
fun gpt(block: GptBuilder.() -> Unit): GptConfig = GptBuilder().apply(block).build()
