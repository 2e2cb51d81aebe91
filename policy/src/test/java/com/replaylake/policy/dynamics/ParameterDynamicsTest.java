package com.replaylake.policy.dynamics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.replaylake.policy.checkpoint.TensorDtype;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.junit.jupiter.api.Test;

class ParameterDynamicsTest {
  private static final ParameterDynamics.Settings SETTINGS = new ParameterDynamics.Settings(4, 0.5);

  @Test
  void changingKnownBf16EntriesGivesSparsityExactlyOneMinusKOverN() {
    SplittableRandom rnd = new SplittableRandom(1);
    int rows = 40;
    int cols = 50;
    float[] w0 = gaussian(rnd, rows * cols, 0.02);
    float[] w1 = w0.clone();
    int k = 37;
    int[] changedAt = rnd.ints(0, w0.length).distinct().limit(k).toArray();
    for (int i : changedAt) {
      w1[i] = w0[i] * 1.5f + 0.01f;
    }
    DynamicsStats s = ParameterDynamics.compare(w0, w1, null, rows, cols, SETTINGS);
    assertThat(s.numel()).isEqualTo(2000);
    assertThat(s.changed()).isEqualTo(k);
    assertThat(s.updateSparsity()).isEqualTo(1 - k / 2000.0);
  }

  @Test
  void changeBelowHalfABf16UlpIsInvisibleAndAboveIsSeen() {
    float w = TensorDtype.fromBf16Bits(TensorDtype.toBf16Bits(0.3712f)); // a bf16 value
    float ulp = Math.ulp(w) * (1 << 16); // bf16 keeps 8 of float32's 24 significand bits
    float[] w0 = {w, w, -w, w};
    float[] below = {w + 0.45f * ulp, w - 0.45f * ulp, -w - 0.45f * ulp, w};
    float[] above = {w + 0.55f * ulp, w - 0.55f * ulp, -w + 0.55f * ulp, w};
    assertThat(ChangeMask.of(w0, below).changed()).isZero();
    assertThat(ChangeMask.of(w0, below).sparsity()).isEqualTo(1.0);
    assertThat(ChangeMask.of(w0, above).changed()).isEqualTo(3);
  }

  @Test
  void fp32InputsAreRoundedToBf16BeforeComparing() {
    // 1 + 2^-10 and 1 + 2^-9 differ in float32 but both round to bf16 1.0 (ulp 2^-7);
    // 1 + 2^-7 is the next bf16 value.
    float[] w0 = {1.0f + 0x1p-10f, 1.0f, 1.0f};
    float[] w1 = {1.0f + 0x1p-9f, 1.0f + 0x1p-9f, 1.0f + 0x1p-7f};
    ChangeMask m = ChangeMask.of(w0, w1);
    assertThat(m.isChanged(0)).isFalse();
    assertThat(m.isChanged(1)).isFalse();
    assertThat(m.isChanged(2)).isTrue();
    // round-to-nearest-even at exactly half an ulp: 1 + 2^-8 rounds down to 1.0
    assertThat(ChangeMask.of(new float[] {1.0f}, new float[] {1.0f + 0x1p-8f}).changed()).isZero();
  }

  @Test
  void rotationInATwoDimensionalSubspaceGivesThatPrincipalAngle() {
    int rows = 48;
    int cols = 64;
    int k = 4;
    SplittableRandom rnd = new SplittableRandom(7);
    DMatrixRMaj u = orthogonal(rnd, rows);
    DMatrixRMaj v = orthogonal(rnd, cols);
    double[] sigma = new double[rows];
    for (int i = 0; i < rows; i++) {
      sigma[i] = 10.0 / (1 + i);
    }
    for (double theta : new double[] {0.3, 1.2, 1e-5}) {
      // rotate u_1 towards u_{k+1} (outside the top-k) by theta: W1 = G W0, G orthogonal
      DMatrixRMaj u1 = u.copy();
      for (int r = 0; r < rows; r++) {
        double a = u.get(r, 0);
        double b = u.get(r, k);
        u1.set(r, 0, Math.cos(theta) * a + Math.sin(theta) * b);
        u1.set(r, k, -Math.sin(theta) * a + Math.cos(theta) * b);
      }
      float[] w0 = compose(u, sigma, v, rows, cols);
      float[] w1 = compose(u1, sigma, v, rows, cols);
      DynamicsStats s = ParameterDynamics.compare(w0, w1, null, rows, cols,
          new ParameterDynamics.Settings(k, 0.5));
      assertThat(s.leftAngleMaxOrNaN()).as("theta %s", theta).isCloseTo(theta, within(1e-6 * Math.max(1, theta)));
      assertThat(s.leftAngleMean()).isCloseTo(theta / k, within(1e-6));
      assertThat(s.rightAngleMaxOrNaN()).isLessThan(1e-5);
      assertThat(s.spectralDrift()).as("an orthogonal G keeps the spectrum").isLessThan(1e-6);
    }
  }

  @Test
  void identicalMatricesGiveZeroDriftAndZeroAngles() {
    SplittableRandom rnd = new SplittableRandom(3);
    float[] w0 = gaussian(rnd, 30 * 70, 1);
    DynamicsStats s = ParameterDynamics.compare(w0, w0.clone(), null, 30, 70, SETTINGS);
    assertThat(s.spectralDrift()).isEqualTo(0.0);
    assertThat(s.leftAngleMaxOrNaN()).isLessThan(1e-7);
    assertThat(s.rightAngleMaxOrNaN()).isLessThan(1e-7);
    assertThat(s.updateSparsity()).isEqualTo(1.0);
    assertThat(s.principalOverlapRatio()).as("no update: overlap undefined").isNaN();
  }

  @Test
  void scalingBySGivesDriftAbsSMinusOne() {
    SplittableRandom rnd = new SplittableRandom(4);
    for (int[] shape : new int[][] {{20, 35}, {35, 20}}) {
      float[] w0 = gaussian(rnd, shape[0] * shape[1], 1);
      for (float scale : new float[] {1.75f, 0.5f, -2f}) {
        float[] w1 = new float[w0.length];
        for (int i = 0; i < w0.length; i++) {
          w1[i] = w0[i] * scale;
        }
        DynamicsStats s = ParameterDynamics.compare(w0, w1, null, shape[0], shape[1], SETTINGS);
        assertThat(s.spectralDrift()).isCloseTo(Math.abs(Math.abs(scale) - 1), within(1e-8));
        assertThat(s.leftAngleMaxOrNaN()).as("scaling keeps subspaces").isLessThan(1e-6);
        assertThat(s.rightAngleMaxOrNaN()).isLessThan(1e-6);
      }
    }
  }

  @Test
  void spectrumMatchesADirectSvdForWideAndTallMatrices() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int[] shape : new int[][] {{25, 40}, {40, 25}}) {
      int rows = shape[0];
      int cols = shape[1];
      float[] w = gaussian(rnd, rows * cols, 1);
      MatrixSpectrum sp = MatrixSpectrum.of(w, rows, cols, 5);
      DMatrixRMaj a = new DMatrixRMaj(rows, cols);
      for (int i = 0; i < w.length; i++) {
        a.data[i] = w[i];
      }
      SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, cols, false, false, true);
      svd.decompose(a.copy());
      double[] expected = Arrays.copyOf(svd.getSingularValues(), Math.min(rows, cols));
      Arrays.sort(expected);
      double[] got = sp.singularValues();
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i]).isCloseTo(expected[expected.length - 1 - i], within(1e-9 * expected[expected.length - 1]));
      }
      // W v_j = σ_j u_j for the kept vectors
      DMatrixRMaj av = new DMatrixRMaj(rows, 5);
      CommonOps_DDRM.mult(a, sp.right(), av);
      for (int j = 0; j < 5; j++) {
        for (int r = 0; r < rows; r++) {
          assertThat(av.get(r, j)).isCloseTo(got[j] * sp.left().get(r, j), within(1e-9 * got[0]));
        }
      }
    }
  }

  @Test
  void rankKReconstructionOfARankKMatrixIsTheMatrix() {
    SplittableRandom rnd = new SplittableRandom(6);
    int rows = 30;
    int cols = 20;
    DMatrixRMaj u = orthogonal(rnd, rows);
    DMatrixRMaj v = orthogonal(rnd, cols);
    double[] sigma = {5, 3, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    float[] w = compose(u, sigma, v, rows, cols);
    MatrixSpectrum sp = MatrixSpectrum.of(w, rows, cols, 3);
    float[] rec = sp.rankKReconstruction(w, rows, cols);
    for (int i = 0; i < w.length; i++) {
      assertThat(rec[i]).isCloseTo(w[i], within(1e-5f));
    }
  }

  @Test
  void overlapOfARandomMaskIsAlphaWithinSamplingError() {
    SplittableRandom rnd = new SplittableRandom(11);
    int rows = 200;
    int cols = 300;
    float[] w0 = gaussian(rnd, rows * cols, 0.02);
    float[] w1 = w0.clone();
    int changed = 0;
    for (int i = 0; i < w1.length; i++) {
      if (rnd.nextDouble() < 0.2) {
        w1[i] = w0[i] + 0.05f;
        changed++;
      }
    }
    for (double alpha : new double[] {0.5, 0.2}) {
      DynamicsStats s = ParameterDynamics.compare(w0, w1, null, rows, cols, new ParameterDynamics.Settings(8, alpha));
      // hypergeometric sd ≤ sqrt(α(1−α)/changed); allow 4 sd
      double tol = 4 * Math.sqrt(alpha * (1 - alpha) / changed);
      assertThat(s.principalOverlapRatio()).as("M_princ, alpha %s", alpha).isCloseTo(alpha, within(tol));
      assertThat(s.lowOverlapRatio()).as("M_low, alpha %s", alpha).isCloseTo(alpha, within(tol));
    }
  }

  @Test
  void overlapWithTiesIsExactlyAlphaWhenAllMagnitudesAreEqual() {
    float[] values = new float[1001];
    Arrays.fill(values, -0.25f);
    boolean[] bits = new boolean[values.length];
    SplittableRandom rnd = new SplittableRandom(12);
    for (int i = 0; i < bits.length; i++) {
      bits[i] = rnd.nextBoolean();
    }
    ChangeMask m = ChangeMask.fromBits(bits);
    double expected = Math.round(0.3 * values.length) / (double) values.length;
    assertThat(MagnitudeMask.overlap(values, 0.3, MagnitudeMask.End.TOP, m)).isCloseTo(expected, within(1e-12));
    assertThat(MagnitudeMask.overlap(values, 0.3, MagnitudeMask.End.BOTTOM, m)).isCloseTo(expected, within(1e-12));
  }

  @Test
  void magnitudeMaskSelectsExactlyTheTopAndBottomEntries() {
    SplittableRandom rnd = new SplittableRandom(13);
    float[] values = gaussian(rnd, 5000, 1);
    float[] abs = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      abs[i] = Math.abs(values[i]);
    }
    float[] sorted = abs.clone();
    Arrays.sort(sorted);
    boolean[] all = new boolean[values.length];
    Arrays.fill(all, true);
    ChangeMask everything = ChangeMask.fromBits(all);
    assertThat(MagnitudeMask.overlapCount(values, 0.1, MagnitudeMask.End.TOP, everything)).isEqualTo(500.0);
    // the one changed entry is the 500th largest: inside the top 10%; the 501st is outside
    for (int rank : new int[] {4500, 4499}) {
      boolean[] one = new boolean[values.length];
      for (int i = 0; i < values.length; i++) {
        one[i] = abs[i] == sorted[rank];
      }
      double c = MagnitudeMask.overlapCount(values, 0.1, MagnitudeMask.End.TOP, ChangeMask.fromBits(one));
      assertThat(c).as("rank %d", rank).isEqualTo(rank >= 4500 ? 1.0 : 0.0);
      double low = MagnitudeMask.overlapCount(values, 0.9, MagnitudeMask.End.BOTTOM, ChangeMask.fromBits(one));
      assertThat(low).as("bottom 90%%, rank %d", rank).isEqualTo(rank < 4500 ? 1.0 : 0.0);
    }
  }

  @Test
  void jaccardOfIndependentMasksIsTheBaseline() {
    SplittableRandom rnd = new SplittableRandom(21);
    int rows = 250;
    int cols = 400;
    float[] w0 = gaussian(rnd, rows * cols, 0.02);
    float[] a = w0.clone();
    float[] b = w0.clone();
    for (int i = 0; i < w0.length; i++) {
      if (rnd.nextDouble() < 0.3) {
        a[i] += 0.05f;
      }
      if (rnd.nextDouble() < 0.2) {
        b[i] -= 0.05f;
      }
    }
    DynamicsStats s = ParameterDynamics.compare(w0, a, b, rows, cols, SETTINGS);
    assertThat(s.jaccardBaseline()).isCloseTo(0.06 / 0.44, within(0.01));
    assertThat(s.jaccard()).isCloseTo(s.jaccardBaseline(), within(0.01));
    DynamicsStats same = ParameterDynamics.compare(w0, a, a, rows, cols, SETTINGS);
    assertThat(same.jaccard()).isEqualTo(1.0);
  }

  @Test
  void pooledStatisticsAreSumsOverTensors() {
    SplittableRandom rnd = new SplittableRandom(31);
    float[] w0 = gaussian(rnd, 20 * 30, 1);
    float[] w1 = w0.clone();
    for (int i = 0; i < 60; i++) {
      w1[i] += 1;
    }
    float[] x0 = gaussian(rnd, 10 * 10, 1);
    float[] x1 = new float[x0.length];
    for (int i = 0; i < x0.length; i++) {
      x1[i] = 2 * x0[i];
    }
    DynamicsStats a = ParameterDynamics.compare(w0, w1, null, 20, 30, SETTINGS);
    DynamicsStats b = ParameterDynamics.compare(x0, x1, null, 10, 10, SETTINGS);
    DynamicsStats pooled = DynamicsStats.empty().merge(a).merge(b);
    assertThat(pooled.tensors()).isEqualTo(2);
    assertThat(pooled.numel()).isEqualTo(700);
    assertThat(pooled.updateSparsity()).isEqualTo((700 - 60 - 100) / 700.0);
    assertThat(pooled.spectralDrift()).isCloseTo(Math.sqrt((a.sigmaDiffSq() + b.sigmaDiffSq())
        / (a.sigma0Sq() + b.sigma0Sq())), within(1e-12));
    assertThat(pooled.leftAngleMaxOrNaN()).isEqualTo(Math.max(a.leftAngleMax(), b.leftAngleMax()));
    assertThat(pooled.leftAngleMean()).isCloseTo((a.leftAngleSum() + b.leftAngleSum()) / 8, within(1e-12));
    assertThat(pooled.lowOverlapRatio()).isCloseTo((a.lowOverlap() + b.lowOverlap()) / 160, within(1e-12));
  }

  static float[] gaussian(SplittableRandom rnd, int n, double scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (scale * gauss(rnd));
    }
    return x;
  }

  private static double gauss(SplittableRandom rnd) {
    double u = rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }

  private static DMatrixRMaj orthogonal(SplittableRandom rnd, int n) {
    DMatrixRMaj g = new DMatrixRMaj(n, n);
    for (int i = 0; i < g.data.length; i++) {
      g.data[i] = gauss(rnd);
    }
    QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(n, n);
    qr.decompose(g);
    return qr.getQ(null, false);
  }

  private static float[] compose(DMatrixRMaj u, double[] sigma, DMatrixRMaj v, int rows, int cols) {
    float[] w = new float[rows * cols];
    int m = Math.min(rows, cols);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double x = 0;
        for (int i = 0; i < m; i++) {
          x += u.get(r, i) * sigma[i] * v.get(c, i);
        }
        w[r * cols + c] = (float) x;
      }
    }
    return w;
  }
}
