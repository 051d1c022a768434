package plaudit.model;

/**
 * Output of {@link Generator#generate}: per prompt, in order.
 *
 * @param tokens       the response tokens (without the prompt), ending with the EOS token if one was drawn; rows have
 *                     their own lengths (no padding)
 * @param logprobs     for each response token, its log-probability under the temperature-scaled full softmax
 *                     (top-k/top-p only restrict which tokens can be drawn; greedy decoding reports temperature 1)
 * @param endedWithEos whether the row stopped at EOS rather than at max_new_tokens
 */
public record Generation(int[][] tokens, float[][] logprobs, boolean[] endedWithEos) {
}
