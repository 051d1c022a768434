package plaudit.dsl

import plaudit.data.RewardFunction
import plaudit.reward.Rewards

/**
 * A named reward function written as a lambda; it composes with the reward model and other functions, and PPO and
 * best-of-n use it exactly like the reward model:
 * ```
 * val polite = reward("polite") { _, response -> if ("please" in response) 1.0 else 0.0 }
 * experiment { reward { rm -> 0.7 * rm + 0.3 * polite } }
 * ```
 * It must be thread-safe and return a finite number (a NaN stops the run with a message naming it).
 */
fun reward(name: String, score: (prompt: String, response: String) -> Double): RewardFunction =
    Rewards.named(name, RewardFunction { p, r -> score(p, r) })

/** A weighted sum Σ wᵢ·fᵢ, kept flat so `0.7 * rm + 0.3 * polite` scores the reward model once per batch. */
class WeightedSum internal constructor(val terms: List<Pair<Double, RewardFunction>>) : RewardFunction {
    private val sum = Rewards.sum(terms.map { it.second }, terms.map { it.first }.toDoubleArray())

    override fun score(prompt: String, response: String): Double = sum.score(prompt, response)
    override fun scoreAll(prompts: List<String>, responses: List<String>): DoubleArray = sum.scoreAll(prompts, responses)
    override fun name(): String = sum.name()
    override fun toString(): String = name()
}

private fun RewardFunction.terms(): List<Pair<Double, RewardFunction>> =
    if (this is WeightedSum) terms else listOf(1.0 to this)

/** `w * f`: the function scaled by a weight. */
operator fun Double.times(f: RewardFunction): RewardFunction = WeightedSum(f.terms().map { (w, g) -> this * w to g })

/** `f * w`: the function scaled by a weight. */
operator fun RewardFunction.times(w: Double): RewardFunction = w * this

/** `f + g`: the sum of two reward functions. */
operator fun RewardFunction.plus(g: RewardFunction): RewardFunction = WeightedSum(terms() + g.terms())

/** `f - g`. */
operator fun RewardFunction.minus(g: RewardFunction): RewardFunction = this + (-1.0) * g

/** `-f`. */
operator fun RewardFunction.unaryMinus(): RewardFunction = (-1.0) * this

/** [f] limited to `[lo, hi]`: bounds how much any single response can be rewarded. */
fun clamp(f: RewardFunction, lo: Double, hi: Double): RewardFunction = Rewards.clamp(f, lo, hi)

/**
 * A gate: wherever [condition] holds, the reward is [penalty], whatever [f] says; e.g.
 * `gate(rm, penalty = -1.0, name = "has a link") { _, response -> "http" in response }`.
 */
fun gate(f: RewardFunction, penalty: Double, name: String = "condition", condition: (prompt: String, response: String) -> Boolean): RewardFunction =
    Rewards.gate(f, reward(name) { p, r -> if (condition(p, r)) 1.0 else 0.0 }, penalty)

/** [g] applied to every score of [f], e.g. `mapScores(rm, "tanh(rm)") { tanh(it) }`. */
fun mapScores(f: RewardFunction, name: String, g: (Double) -> Double): RewardFunction = Rewards.map(f, name) { g(it) }
