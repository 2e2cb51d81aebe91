package com.replaylake.policy.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.learn.LossNormalization.BatchShape;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PolicyLossTest {
  private static final double TOL = 1e-5;
  private static final PolicyLoss.Settings PPO = new PolicyLoss.Settings(0.2, 0.28, 0, 1, 0);

  private NDManager m;

  @BeforeEach
  void open() {
    m = PolicyRuntime.newManager(Device.cpu());
  }

  @AfterEach
  void close() {
    m.close();
  }

  private NDArray arr(double... v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return m.create(f);
  }

  /** Current log-probs q_b + log ρ, differentiable. */
  private NDArray current(double[] qb, double[] rho) {
    double[] p = new double[qb.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = qb[i] + Math.log(rho[i]);
    }
    NDArray a = arr(p);
    a.setRequiresGradient(true);
    return a;
  }

  private static double[] fill(int n, double v) {
    double[] d = new double[n];
    Arrays.fill(d, v);
    return d;
  }

  private record Eval(PolicyLoss.Result result, float[] grad) {}

  private Eval eval(PolicyLoss.Inputs in, PolicyLoss.Settings s) {
    try (GradientCollector gc = PolicyRuntime.engine().newGradientCollector()) {
      PolicyLoss.Result r = PolicyLoss.compute(in, s);
      gc.backward(r.loss());
      return new Eval(r, in.logprobs().getGradient().toFloatArray());
    }
  }

  private PolicyLoss.Inputs inputs(NDArray p, double[] qb, double[] pk, double[] adv, float[] w) {
    return new PolicyLoss.Inputs(p, arr(qb), arr(pk), arr(adv), m.create(w),
        arr(fill(qb.length, 0)), null, null);
  }

  @Test
  void ppoClipsAtBothBoundsWithClipHigher() {
    double[] qb = {-1.0, -2.0, -0.5, -1.5, -1.0};
    double[] rho = {1.5, 0.5, 0.5, 1.5, 1.1};
    double[] adv = {1, -1, 1, -1, 1};
    NDArray p = current(qb, rho);
    float[] w = LossNormalization.TOKEN.weights(new int[] {5}, BatchShape.of(new int[] {5}, 0));
    Eval e = eval(inputs(p, qb, qb, adv, w), PPO);
    // per token: -min(1.5, 1.28) = -1.28 (upper clip); -min(-0.5, -0.8) = 0.8 (lower clip);
    // -min(0.5, 0.8) = -0.5; -min(-1.5, -1.28) = 1.5; -min(1.1, 1.1) = -1.1
    double expected = (-1.28 + 0.8 - 0.5 + 1.5 - 1.1) / 5;
    assertThat(e.result().loss().getFloat()).isCloseTo((float) expected, within(1e-6f));
    LossMetrics mt = e.result().metrics();
    assertThat(mt.clipLow()).isEqualTo(1);
    assertThat(mt.clipHigh()).isEqualTo(1);
    assertThat(mt.clipFractionLow()).isEqualTo(0.2);
    assertThat(mt.ratioMean()).isCloseTo((1.5 + 0.5 + 0.5 + 1.5 + 1.1) / 5, within(TOL));
    assertThat(mt.ratioMax()).isCloseTo(1.5, within(TOL));
    assertThat(mt.pgLoss()).isCloseTo(expected, within(TOL));
    assertThat(mt.tokens()).isEqualTo(5);
    // d/dp of -w·ρ·A = -w·A·ρ where unclipped, 0 where clipped
    double[] grad = {0, 0, -0.5 / 5, 1.5 / 5, -1.1 / 5};
    for (int i = 0; i < grad.length; i++) {
      assertThat(e.grad()[i]).as("grad %d", i).isCloseTo((float) grad[i], within(1e-6f));
    }
  }

  @Test
  void mixPpgCentresTheClipWindowOnC() {
    // c = π_k/π_b = 2 -> window [1.8, 2.28]; c = 0.1 -> window [max(0, -0.1), 0.38] = [0, 0.38]
    double[] qb = {-2.0, -2.0, -2.0, -3.0, -3.0};
    double[] c = {2, 2, 2, 0.1, 0.1};
    double[] rho = {3, 3, 1.5, 0.05, 0.5};
    double[] adv = {1, -1, -1, -1, 1};
    double[] pk = new double[qb.length];
    for (int i = 0; i < pk.length; i++) {
      pk[i] = qb[i] + Math.log(c[i]);
    }
    NDArray p = current(qb, rho);
    float[] w = LossNormalization.TOKEN.weights(new int[] {5}, BatchShape.of(new int[] {5}, 0));
    Eval e = eval(inputs(p, qb, pk, adv, w), PPO);
    // -min(3, 2.28) = -2.28 (high); -min(-3, -2.28) = 3; -min(-1.5, -1.8) = 1.8 (low);
    // -min(-0.05, -0.05) = 0.05; -min(0.5, 0.38) = -0.38 (high)
    double expected = (-2.28 + 3 + 1.8 + 0.05 - 0.38) / 5;
    assertThat(e.result().loss().getFloat()).isCloseTo((float) expected, within(1e-5f));
    assertThat(e.result().metrics().clipLow()).isEqualTo(1);
    assertThat(e.result().metrics().clipHigh()).isEqualTo(2);
    double[] grad = {0, 3.0 / 5, 0, 0.05 / 5, 0};
    for (int i = 0; i < grad.length; i++) {
      assertThat(e.grad()[i]).as("grad %d", i).isCloseTo((float) grad[i], within(1e-6f));
    }
  }

  @Test
  void mixPpgEqualsPpoWhenTheBehaviorPolicyIsPiK() {
    SplittableRandom r = new SplittableRandom(3);
    int n = 64;
    double[] qb = new double[n];
    double[] rho = new double[n];
    double[] adv = new double[n];
    for (int i = 0; i < n; i++) {
      qb[i] = -0.1 - 3 * r.nextDouble();
      rho[i] = Math.exp(0.8 * (r.nextDouble() - 0.5));
      adv[i] = 2 * r.nextDouble() - 1;
    }
    NDArray p = current(qb, rho);
    float[] w = LossNormalization.TOKEN.weights(new int[] {n}, BatchShape.of(new int[] {n}, 0));
    Eval e = eval(inputs(p, qb, qb, adv, w), PPO);
    // textbook PPO-clip with clip-higher, in double
    double loss = 0;
    int clipped = 0;
    for (int i = 0; i < n; i++) {
      double cl = Math.min(Math.max(rho[i], 0.8), 1.28);
      double unclippedTerm = rho[i] * adv[i];
      double clippedTerm = cl * adv[i];
      loss -= Math.min(unclippedTerm, clippedTerm) / n;
      boolean gradZero = clippedTerm < unclippedTerm;
      double g = gradZero ? 0 : -adv[i] * rho[i] / n;
      clipped += gradZero ? 1 : 0;
      assertThat(e.grad()[i]).as("grad %d", i).isCloseTo((float) g, within(1e-6f));
    }
    assertThat(e.result().loss().getFloat()).isCloseTo((float) loss, within(1e-5f));
    assertThat(clipped).isGreaterThan(0);
    LossMetrics mt = e.result().metrics();
    assertThat(mt.clipLow() + mt.clipHigh()).isEqualTo(clipped);
  }

  @Test
  void eachNormalizationHasItsHandValue() {
    // rows of 1 and 3 tokens, ρ = 1, A = 2 for row 0 and 1 for row 1: per-token pg = -A
    int[] lens = {1, 3};
    double[] qb = {-1, -1, -1, -1};
    double[] adv = {2, 1, 1, 1};
    double[][] cases = {
        {LossNormalization.TOKEN.ordinal(), 0, -5.0 / 4},
        {LossNormalization.SEQUENCE.ordinal(), 0, (-2.0 + -1.0) / 2},
        {LossNormalization.CONSTANT.ordinal(), 0, -5.0 / (2 * 3)},
        {LossNormalization.CONSTANT.ordinal(), 5, -5.0 / (2 * 5)}};
    for (double[] cs : cases) {
      LossNormalization norm = LossNormalization.values()[(int) cs[0]];
      float[] w = norm.weights(lens, BatchShape.of(lens, (int) cs[1]));
      NDArray p = current(qb, fill(4, 1));
      float loss = PolicyLoss.compute(inputs(p, qb, qb, adv, w), PPO).loss().getFloat();
      assertThat(loss).as("%s length %s", norm, cs[1]).isCloseTo((float) cs[2], within(1e-6f));
    }
  }

  @Test
  void microBatchWeightsAddUpToTheBatchWeights() {
    int[] lens = {2, 0, 5, 1};
    for (LossNormalization norm : LossNormalization.values()) {
      BatchShape shape = BatchShape.of(lens, 0);
      float[] whole = norm.weights(lens, shape);
      float[] a = norm.weights(new int[] {2, 0}, shape);
      float[] b = norm.weights(new int[] {5, 1}, shape);
      float[] joined = new float[a.length + b.length];
      System.arraycopy(a, 0, joined, 0, a.length);
      System.arraycopy(b, 0, joined, a.length, b.length);
      assertThat(joined).as("%s", norm).containsExactly(whole);
    }
    // sequence: R counts the empty response; each non-empty row sums to 1 / R
    float[] w = LossNormalization.SEQUENCE.weights(lens, BatchShape.of(lens, 0));
    assertThat(w[0] + w[1]).isCloseTo(0.25f, within(1e-7f));
    assertThat(w[7]).isCloseTo(0.25f, within(1e-7f));
  }

  @Test
  void k3IsNonNegativeAndZeroAtIdentity() {
    SplittableRandom r = new SplittableRandom(5);
    double[] q = new double[200];
    double[] p = new double[200];
    for (int i = 0; i < q.length; i++) {
      q[i] = -8 * r.nextDouble();
      p[i] = -8 * r.nextDouble();
    }
    for (float v : PolicyLoss.k3(arr(q), arr(p)).toFloatArray()) {
      assertThat(v).isGreaterThanOrEqualTo(0f);
    }
    for (float v : PolicyLoss.k3(arr(q), arr(q)).toFloatArray()) {
      assertThat(v).isEqualTo(0f);
    }
    // far-apart log-probs stay finite (q - p clamped to 20)
    float far = PolicyLoss.k3(arr(-1), arr(-200)).getFloat(0);
    assertThat(far).isFinite().isCloseTo((float) (Math.exp(20) - 21), within(1e3f));
    // q - p = ln 2: 2 - ln 2 - 1
    float v = PolicyLoss.k3(arr(Math.log(2) - 1), arr(-1)).getFloat(0);
    assertThat(v).isCloseTo((float) (1 - Math.log(2)), within(1e-6f));
  }

  @Test
  void klConvexMixesBaseAndPrevious() {
    double[] qb = {-1, -2};
    NDArray p = current(qb, new double[] {1, 1});
    double[] base = {-1 + Math.log(2), -2};   // k3 = 1 - ln 2, 0
    double[] prev = {-1, -2 - Math.log(2)};   // k3 = 0, 0.5 - ln 0.5 - 1 = ln 2 - 0.5
    float[] w = {0.5f, 0.5f};
    PolicyLoss.Inputs in = new PolicyLoss.Inputs(p, arr(qb), arr(qb), arr(0, 0), m.create(w),
        arr(0, 0), arr(base), arr(prev));
    double k1 = 1 - Math.log(2);
    double k2 = Math.log(2) - 0.5;
    PolicyLoss.Result r = PolicyLoss.compute(in, new PolicyLoss.Settings(0.2, 0.28, 0.5, 0.9, 0));
    double expected = 0.5 * (0.5 * (0.9 * k1) + 0.5 * (0.1 * k2));
    assertThat(r.loss().getFloat()).isCloseTo((float) expected, within(1e-6f));
    assertThat(r.metrics().klLoss()).isCloseTo(expected, within(1e-6));
    assertThat(r.metrics().klBaseMean()).isCloseTo(k1 / 2, within(1e-6));
    assertThat(r.metrics().klPrevMean()).isCloseTo(k2 / 2, within(1e-6));
    // λ = 1 never touches prev; β = 0 never touches either
    PolicyLoss.Inputs noPrev = new PolicyLoss.Inputs(p, arr(qb), arr(qb), arr(0, 0),
        m.create(w), arr(0, 0), arr(base), null);
    assertThat(PolicyLoss.compute(noPrev, new PolicyLoss.Settings(0.2, 0.28, 0.5, 1, 0)).loss()
        .getFloat()).isCloseTo((float) (0.5 * 0.5 * k1), within(1e-6f));
    PolicyLoss.Inputs none = new PolicyLoss.Inputs(p, arr(qb), arr(qb), arr(0, 0),
        m.create(w), arr(0, 0), null, null);
    assertThat(PolicyLoss.compute(none, PPO).loss().getFloat()).isEqualTo(0f);
    assertThatThrownBy(() -> PolicyLoss.compute(none, new PolicyLoss.Settings(0.2, 0.28, 0.1, 1,
        0))).isInstanceOf(PolicyException.class).hasMessageContaining("base (reference)");
  }

  @Test
  void entropyBonusLowersTheLoss() {
    double[] qb = {-1, -1};
    NDArray p = current(qb, new double[] {1, 1});
    PolicyLoss.Inputs in = new PolicyLoss.Inputs(p, arr(qb), arr(qb), arr(0, 0),
        m.create(new float[] {0.5f, 0.5f}), arr(2.0, 4.0), null, null);
    PolicyLoss.Result r = PolicyLoss.compute(in, new PolicyLoss.Settings(0.2, 0.28, 0, 1, 0.1));
    assertThat(r.loss().getFloat()).isCloseTo(-0.3f, within(1e-6f));
    assertThat(r.metrics().entropyLoss()).isCloseTo(-0.3, within(1e-6));
    assertThat(r.metrics().entropyMean()).isCloseTo(3.0, within(1e-6));
  }
}
