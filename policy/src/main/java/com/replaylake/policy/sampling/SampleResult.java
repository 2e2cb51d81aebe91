package com.replaylake.policy.sampling;

/**
 * One sampled response.
 *
 * @param seed the sequence's seed
 * @param promptTokenIds the prompt as fed
 * @param tokenIds response tokens, including the stop token when {@code finishReason} is STOP
 * @param text response text decoded without special tokens
 * @param finishReason stop or length
 * @param logprobs per response token, log π of the distribution actually sampled from (see
 *     {@link TokenDistribution}); same length as {@code tokenIds}
 */
public record SampleResult(
    long seed, int[] promptTokenIds, int[] tokenIds, String text, FinishReason finishReason,
    float[] logprobs) {
  public SampleResult {
    if (tokenIds.length != logprobs.length) {
      throw new IllegalArgumentException("Cannot make a sample: " + tokenIds.length
          + " tokens but " + logprobs.length + " log-probs");
    }
  }
}
