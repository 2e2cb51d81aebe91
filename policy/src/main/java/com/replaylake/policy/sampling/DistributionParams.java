package com.replaylake.policy.sampling;

import com.replaylake.policy.PolicyErrors;

/**
 * How next-token logits become the distribution that is sampled from (and that behavior
 * log-probs refer to); see {@link TokenDistribution} for the exact definition.
 *
 * @param temperature 0 for greedy (a point mass on the argmax), else &gt; 0
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param topP keep the smallest most-likely set with mass ≥ top_p; 1 keeps all
 */
public record DistributionParams(double temperature, int topK, double topP) {
  /** Temperature 1, no truncation: the model's own distribution. */
  public static final DistributionParams FULL = new DistributionParams(1.0, 0, 1.0);

  public DistributionParams {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw PolicyErrors.badArgument("temperature", temperature, "it must be finite and >= 0");
    }
    if (topK < 0) {
      throw PolicyErrors.badArgument("top_k", topK, "it must be >= 0 (0 disables it)");
    }
    if (!(topP > 0 && topP <= 1)) {
      throw PolicyErrors.badArgument("top_p", topP, "it must be in (0, 1] (1 disables it)");
    }
  }

  /** Whether this is greedy decoding. */
  public boolean greedy() {
    return temperature == 0;
  }
}
