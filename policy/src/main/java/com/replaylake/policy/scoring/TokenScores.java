package com.replaylake.policy.scoring;

/**
 * Per-response-token scores of one response.
 *
 * @param logprobs log π(y_t | prompt, y_&lt;t) under the scoring distribution
 * @param entropies entropy of that distribution at each response position
 */
public record TokenScores(float[] logprobs, float[] entropies) {
  /** Sum of the log-probs: the sequence log-likelihood. */
  public double sum() {
    double s = 0;
    for (float v : logprobs) {
      s += v;
    }
    return s;
  }
}
