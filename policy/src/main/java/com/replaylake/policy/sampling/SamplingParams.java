package com.replaylake.policy.sampling;

import com.replaylake.policy.PolicyErrors;
import java.util.List;

/**
 * Options of one sampling call (the {@code sampling} struct of the rollouts table, less the
 * per-sequence seed).
 *
 * @param distribution temperature, top-k and top-p
 * @param maxNewTokens most response tokens per sequence
 * @param stopTokenIds sampling one of these ends a sequence with {@link FinishReason#STOP}
 */
public record SamplingParams(
    DistributionParams distribution, int maxNewTokens, List<Integer> stopTokenIds) {
  public SamplingParams {
    if (distribution == null) {
      throw PolicyErrors.badArgument("distribution", null, "it is required");
    }
    if (maxNewTokens <= 0) {
      throw PolicyErrors.badArgument("max_new_tokens", maxNewTokens, "it must be > 0");
    }
    stopTokenIds = List.copyOf(stopTokenIds);
  }

  /** Convenience constructor. */
  public static SamplingParams of(
      double temperature, int topK, double topP, int maxNewTokens, List<Integer> stopTokenIds) {
    return new SamplingParams(
        new DistributionParams(temperature, topK, topP), maxNewTokens, stopTokenIds);
  }
}
