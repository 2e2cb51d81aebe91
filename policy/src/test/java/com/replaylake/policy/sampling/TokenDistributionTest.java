package com.replaylake.policy.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenDistributionTest {
  private static final float[] LOGITS = {2f, 1f, 0f, -1f, -2f};
  private NDManager m;

  @BeforeEach
  void open() {
    m = PolicyRuntime.newManager(Device.cpu());
  }

  @AfterEach
  void close() {
    m.close();
  }

  private float[] logp(float[] logits, DistributionParams p) {
    return TokenDistribution.logProbs(m.create(logits, new Shape(1, logits.length)), p)
        .toFloatArray();
  }

  /** log_softmax over the kept indices, −∞ elsewhere, computed in double. */
  private static double[] expected(float[] logits, double t, int... kept) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k : kept) {
      max = Math.max(max, logits[k] / t);
    }
    double sum = 0;
    for (int k : kept) {
      sum += Math.exp(logits[k] / t - max);
    }
    double[] out = new double[logits.length];
    java.util.Arrays.fill(out, Double.NEGATIVE_INFINITY);
    for (int k : kept) {
      out[k] = logits[k] / t - max - Math.log(sum);
    }
    return out;
  }

  private static void assertMatches(float[] got, double[] want) {
    for (int i = 0; i < got.length; i++) {
      if (Double.isInfinite(want[i])) {
        assertThat(got[i]).as("index %d", i).isEqualTo(Float.NEGATIVE_INFINITY);
      } else {
        assertThat((double) got[i]).as("index %d", i).isCloseTo(want[i], within(1e-6));
      }
    }
  }

  @Test
  void temperatureScalesLogits() {
    assertMatches(logp(LOGITS, DistributionParams.FULL), expected(LOGITS, 1, 0, 1, 2, 3, 4));
    assertMatches(logp(LOGITS, new DistributionParams(0.5, 0, 1)),
        expected(LOGITS, 0.5, 0, 1, 2, 3, 4));
    assertMatches(logp(LOGITS, new DistributionParams(3, 0, 1)),
        expected(LOGITS, 3, 0, 1, 2, 3, 4));
  }

  @Test
  void topKKeepsTheKLargestAndTies() {
    assertMatches(logp(LOGITS, new DistributionParams(1, 2, 1)), expected(LOGITS, 1, 0, 1));
    assertMatches(logp(LOGITS, new DistributionParams(0.7, 4, 1)),
        expected(LOGITS, 0.7, 0, 1, 2, 3));
    float[] tied = {1f, 3f, 1f, 0f};
    assertMatches(logp(tied, new DistributionParams(1, 2, 1)), expected(tied, 1, 0, 1, 2));
    assertMatches(logp(LOGITS, new DistributionParams(1, 5, 1)),
        expected(LOGITS, 1, 0, 1, 2, 3, 4));
  }

  @Test
  void topPKeepsTheSmallestPrefixReachingP() {
    // Probabilities: 0.6364, 0.2341, 0.0861, 0.0317, 0.0117.
    assertMatches(logp(LOGITS, new DistributionParams(1, 0, 0.5)), expected(LOGITS, 1, 0));
    assertMatches(logp(LOGITS, new DistributionParams(1, 0, 0.7)), expected(LOGITS, 1, 0, 1));
    assertMatches(logp(LOGITS, new DistributionParams(1, 0, 0.87)), expected(LOGITS, 1, 0, 1));
    assertMatches(logp(LOGITS, new DistributionParams(1, 0, 0.88)),
        expected(LOGITS, 1, 0, 1, 2));
    // Top-p applies to the distribution after top-k: among {0,1,2}, p(0) = 0.665 < 0.7.
    assertMatches(logp(LOGITS, new DistributionParams(1, 3, 0.7)), expected(LOGITS, 1, 0, 1));
    assertMatches(logp(LOGITS, new DistributionParams(1, 3, 0.66)), expected(LOGITS, 1, 0));
  }

  @Test
  void greedyIsAPointMassOnTheFirstArgmax() {
    float[] got = logp(new float[] {0f, 5f, 5f, 1f}, new DistributionParams(0, 0, 1));
    assertThat(got).containsExactly(Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY,
        Float.NEGATIVE_INFINITY);
  }

  @Test
  void entropyIgnoresTruncatedTokens() {
    float[] full = TokenDistribution.entropy(TokenDistribution.logProbs(
        m.create(LOGITS, new Shape(1, 5)), DistributionParams.FULL)).toFloatArray();
    double[] lp = expected(LOGITS, 1, 0, 1, 2, 3, 4);
    double h = 0;
    for (double v : lp) {
      h -= Math.exp(v) * v;
    }
    assertThat((double) full[0]).isCloseTo(h, within(1e-6));
    float[] two = TokenDistribution.entropy(TokenDistribution.logProbs(
        m.create(new float[] {0f, 0f, -50f}, new Shape(1, 3)),
        new DistributionParams(1, 2, 1))).toFloatArray();
    assertThat((double) two[0]).isCloseTo(Math.log(2), within(1e-6));
  }

  @Test
  void invalidParametersAreRejected() {
    assertThatThrownBy(() -> new DistributionParams(-1, 0, 1))
        .isInstanceOf(PolicyException.class).hasMessageContaining("temperature");
    assertThatThrownBy(() -> new DistributionParams(1, -2, 1))
        .isInstanceOf(PolicyException.class).hasMessageContaining("top_k");
    assertThatThrownBy(() -> new DistributionParams(1, 0, 0))
        .isInstanceOf(PolicyException.class).hasMessageContaining("top_p");
    assertThatThrownBy(() -> SamplingParams.of(1, 0, 1, 0, java.util.List.of()))
        .isInstanceOf(PolicyException.class).hasMessageContaining("max_new_tokens");
  }
}
