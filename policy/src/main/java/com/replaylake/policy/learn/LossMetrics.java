package com.replaylake.policy.learn;

/**
 * Metrics of one or more loss evaluations. Loss terms are already normalized (their sum over the
 * micro-batches of a batch is the batch's value); KL and entropy are token sums, clip and ratio
 * statistics are counts over tokens, so that {@link #plus} accumulates micro-batches exactly.
 *
 * @param loss total loss (normalized)
 * @param pgLoss policy-gradient term (normalized)
 * @param klLoss β·[λ·KL_base + (1 − λ)·KL_prev] term (normalized)
 * @param entropyLoss −entropy_coef·H term (normalized)
 * @param klBaseSum Σ k3 to the base over tokens (0 when not computed)
 * @param klPrevSum Σ k3 to the previous version over tokens (0 when not computed)
 * @param entropySum Σ entropy over tokens
 * @param clipLow tokens with A &lt; 0 and ρ below the lower bound (no gradient)
 * @param clipHigh tokens with A &gt; 0 and ρ above the upper bound (no gradient)
 * @param ratioSum Σ ρ
 * @param ratioMax max ρ
 * @param tokens tokens N
 */
public record LossMetrics(
    double loss,
    double pgLoss,
    double klLoss,
    double entropyLoss,
    double klBaseSum,
    double klPrevSum,
    double entropySum,
    long clipLow,
    long clipHigh,
    double ratioSum,
    double ratioMax,
    long tokens) {
  /** No tokens. */
  public static final LossMetrics EMPTY =
      new LossMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Double.NEGATIVE_INFINITY, 0);

  public LossMetrics plus(LossMetrics o) {
    return new LossMetrics(loss + o.loss, pgLoss + o.pgLoss, klLoss + o.klLoss,
        entropyLoss + o.entropyLoss, klBaseSum + o.klBaseSum, klPrevSum + o.klPrevSum,
        entropySum + o.entropySum, clipLow + o.clipLow, clipHigh + o.clipHigh,
        ratioSum + o.ratioSum, Math.max(ratioMax, o.ratioMax), tokens + o.tokens);
  }

  public double klBaseMean() {
    return tokens == 0 ? 0 : klBaseSum / tokens;
  }

  public double klPrevMean() {
    return tokens == 0 ? 0 : klPrevSum / tokens;
  }

  public double entropyMean() {
    return tokens == 0 ? 0 : entropySum / tokens;
  }

  public double clipFractionLow() {
    return tokens == 0 ? 0 : (double) clipLow / tokens;
  }

  public double clipFractionHigh() {
    return tokens == 0 ? 0 : (double) clipHigh / tokens;
  }

  public double ratioMean() {
    return tokens == 0 ? 0 : ratioSum / tokens;
  }
}
