package com.replaylake.policy.learn;

import com.replaylake.policy.PolicyErrors;

/**
 * One response to train on, with everything the loss needs per token. Absent log-probs are null.
 *
 * @param promptTokenIds at least one token
 * @param responseTokenIds the sampled response (may be empty: it then only counts in the
 *     {@code sequence}/{@code constant} normalization)
 * @param behaviorLogprobs q_b: log-prob of each response token under the policy that sampled it
 *     (the {@code behavior_logprobs} column; must be finite)
 * @param advantage the response's advantage, broadcast to its tokens
 * @param proximalLogprobs p_k under π_k, the policy at the start of this update; null = use the
 *     behavior log-probs (c = 1: exact for data sampled by π_k)
 * @param baseLogprobs log-probs under π_base (reference) for KL; null when β = 0 or λ = 0
 * @param prevLogprobs log-probs under π_{k−1} for KL-Convex; null when β = 0 or λ = 1
 */
public record TrainingSequence(
    int[] promptTokenIds,
    int[] responseTokenIds,
    float[] behaviorLogprobs,
    float advantage,
    float[] proximalLogprobs,
    float[] baseLogprobs,
    float[] prevLogprobs) {
  public TrainingSequence {
    if (promptTokenIds == null || promptTokenIds.length == 0) {
      throw PolicyErrors.badArgument("training prompt", "[]", "at least one token is needed");
    }
    int n = responseTokenIds.length;
    checkLength("behavior log-probs", behaviorLogprobs, n, false);
    checkLength("proximal (pi_k) log-probs", proximalLogprobs, n, true);
    checkLength("base log-probs", baseLogprobs, n, true);
    checkLength("previous-version log-probs", prevLogprobs, n, true);
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(behaviorLogprobs[i])) {
        throw PolicyErrors.badArgument("behavior log-prob of response token " + i,
            behaviorLogprobs[i], "importance ratios need finite log-probs (greedy or truncated"
                + " sampling outside its support cannot be trained on)");
      }
    }
    if (!Float.isFinite(advantage)) {
      throw PolicyErrors.badArgument("advantage", advantage, "it must be finite");
    }
  }

  /** A sequence with behavior log-probs only. */
  public static TrainingSequence of(
      int[] promptTokenIds, int[] responseTokenIds, float[] behaviorLogprobs, float advantage) {
    return new TrainingSequence(
        promptTokenIds, responseTokenIds, behaviorLogprobs, advantage, null, null, null);
  }

  public TrainingSequence withProximalLogprobs(float[] logprobs) {
    return new TrainingSequence(promptTokenIds, responseTokenIds, behaviorLogprobs, advantage,
        logprobs, baseLogprobs, prevLogprobs);
  }

  public TrainingSequence withBaseLogprobs(float[] logprobs) {
    return new TrainingSequence(promptTokenIds, responseTokenIds, behaviorLogprobs, advantage,
        proximalLogprobs, logprobs, prevLogprobs);
  }

  public TrainingSequence withPrevLogprobs(float[] logprobs) {
    return new TrainingSequence(promptTokenIds, responseTokenIds, behaviorLogprobs, advantage,
        proximalLogprobs, baseLogprobs, logprobs);
  }

  /** Prompt plus response tokens. */
  public int length() {
    return promptTokenIds.length + responseTokenIds.length;
  }

  private static void checkLength(String what, float[] v, int n, boolean nullable) {
    if (v == null) {
      if (!nullable) {
        throw PolicyErrors.badArgument(what, "null", "they are required");
      }
      return;
    }
    if (v.length != n) {
      throw PolicyErrors.badArgument(what, v.length + " values",
          "there must be one per response token (" + n + ")");
    }
  }
}
