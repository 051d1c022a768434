package plaudit.train.steer;

/**
 * What one steering method achieved, on the same axes as the other methods (gold reward against KL from SFT).
 *
 * @param method           {@code soft} (soft prompt) or {@code discrete} (greedy coordinate gradient prefix)
 * @param position         {@code before} or {@code after} the prompt
 * @param prefix           the discrete prefix's text; for a soft prompt, the text of each vector's nearest token
 *                         (cosine), a hint of what it encodes and not an equivalent prompt
 * @param pTargetBefore    mean {@code p(target | prompt)} over the training prompts, unsteered
 * @param pTargetAfter     the same with the prefix
 * @param transferBefore   mean {@code p(target | prompt)} over held-out prompts, unsteered
 * @param transferAfter    the same with the prefix learned on the training prompts
 * @param perplexityBefore the unsteered model's perplexity of its own samples on held-out prompts
 * @param perplexityAfter  the unsteered model's perplexity of the steered samples (how natural the steered text is)
 * @param goldBefore       mean gold reward of unsteered samples; NaN without a gold scorer
 * @param goldAfter        mean gold reward of steered samples; NaN without a gold scorer
 * @param kl               mean per-sequence {@code log π_steered − log π_SFT} over the steered samples
 * @param seconds          wall-clock time of the optimisation
 */
public record SteerResult(String method, String position, String prefix, double pTargetBefore, double pTargetAfter,
                          double transferBefore, double transferAfter, double perplexityBefore,
                          double perplexityAfter, double goldBefore, double goldAfter, double kl, double seconds) {

    /** How many times likelier the target became on the training prompts. */
    public double factor() {
        return pTargetAfter / pTargetBefore;
    }

    /** How many times likelier the target became on held-out prompts. */
    public double transferFactor() {
        return transferAfter / transferBefore;
    }
}
