package com.replaylake.policy.scoring;

import ai.djl.ndarray.NDArray;

/**
 * Differentiable teacher-forced scores of a batch, packed: the response tokens of all rows one
 * after the other (row 0's tokens, then row 1's, ...), so there is no padding to mask.
 *
 * @param logprobs float32 [N]: log π of each response token (keeps the autograd graph)
 * @param entropies float32 [N]: entropy of the scoring distribution at each token
 * @param rowIndex int64 [N]: the row each token belongs to (for per-sequence means)
 * @param responseLengths tokens per row; they sum to N
 */
public record ScoreTensors(
    NDArray logprobs, NDArray entropies, NDArray rowIndex, int[] responseLengths) {
  /** Total response tokens N. */
  public int tokens() {
    int n = 0;
    for (int l : responseLengths) {
      n += l;
    }
    return n;
  }
}
