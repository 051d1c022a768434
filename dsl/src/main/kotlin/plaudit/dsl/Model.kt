package plaudit.dsl

import plaudit.experiment.ModelSpec
import plaudit.model.GptConfig
import kotlin.properties.ReadWriteProperty
import kotlin.reflect.KProperty

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

/**
 * The experiment's model, on [ModelSpec]: a GPT shape the run pretrains (`model { nLayer = 4; nHead = 4 }`, changing
 * only what the block names), or a Hugging Face folder it starts from (`model { from("path/to/hf-folder") }`: the
 * folder's tokenizer and weights, no tokenizer training, no pretraining). A folder and a shape field together are
 * refused, naming the field: the folder's `config.json` is the shape.
 */
@PlauditDsl
class ModelBuilder(private val current: ModelSpec) {
    private var folder: String? = current.from()
    /** The shape fields this block set, by [ModelSpec]'s names. */
    private val given = LinkedHashMap<String, Any?>()

    /** Starts from the Hugging Face model folder [path] (llama, qwen2, qwen3 or gpt2; checked when the run starts). */
    fun from(path: String) {
        folder = path
    }

    var nLayer: Int? by Shape(current.nLayer())
    var nHead: Int? by Shape(current.nHead())
    var nEmbd: Int? by Shape(current.nEmbd())
    var blockSize: Int? by Shape(current.blockSize())
    /** Usually taken from the tokenizer. */
    var vocabSize: Int? by Shape(current.vocabSize())
    var dropout: Double? by Shape(current.dropout())

    private inner class Shape<T>(private val initial: T?) : ReadWriteProperty<ModelBuilder, T?> {
        @Suppress("UNCHECKED_CAST")
        override fun getValue(thisRef: ModelBuilder, property: KProperty<*>): T? =
            if (property.name in given) given[property.name] as T? else if (folder == null) initial else null

        override fun setValue(thisRef: ModelBuilder, property: KProperty<*>, value: T?) {
            given[property.name] = value
        }
    }

    /** With a folder only the shape fields this block set (refused by [ModelSpec]); without, the whole shape. */
    fun build(): ModelSpec = if (folder != null) ModelSpec(
        folder, given["nLayer"] as Int?, given["nHead"] as Int?, given["nEmbd"] as Int?, given["blockSize"] as Int?,
        given["vocabSize"] as Int?, given["dropout"] as Double?,
    ) else ModelSpec(null, nLayer, nHead, nEmbd, blockSize, vocabSize, dropout)

    override fun toString(): String = folder?.let { "model { from(\"$it\") }" }
        ?: "model { nLayer = $nLayer; nHead = $nHead; nEmbd = $nEmbd; blockSize = $blockSize; vocabSize = $vocabSize; dropout = $dropout }"
}
