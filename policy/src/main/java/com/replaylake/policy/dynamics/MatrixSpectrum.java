package com.replaylake.policy.dynamics;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * All singular values and the top-k left and right singular vectors of one weight matrix, in
 * double precision, with EJML.
 *
 * <p>Method: the Gram matrix of the shorter side (G = W·Wᵀ when rows ≤ cols, else Wᵀ·W; size
 * m×m with m = min(rows, cols)) and its symmetric eigendecomposition (Householder
 * tridiagonalization + implicit QR, all eigenvectors): σᵢ = √λᵢ, and the eigenvectors are the
 * singular vectors of that side; the top-k vectors of the other side are Wᵀ·uᵢ/σᵢ (resp. W·vᵢ/σᵢ).
 * This is exact up to rounding and measured faster than EJML's direct SVD (see
 * docs/dynamics.md); squaring costs relative accuracy only for singular values below about
 * 1e-8·σ₁, irrelevant to the drift norm. Memory: the matrix once in double (8 bytes/entry) plus
 * a few m×m matrices.
 */
public final class MatrixSpectrum {
  private final double[] singularValues;
  private final DMatrixRMaj left;
  private final DMatrixRMaj right;

  private MatrixSpectrum(double[] singularValues, DMatrixRMaj left, DMatrixRMaj right) {
    this.singularValues = singularValues;
    this.left = left;
    this.right = right;
  }

  /**
   * Decomposes a row-major {@code rows × cols} matrix.
   *
   * @param k number of leading singular vectors to keep (clamped to min(rows, cols))
   */
  public static MatrixSpectrum of(float[] w, int rows, int cols, int k) {
    if ((long) rows * cols != w.length || rows < 1 || cols < 1) {
      throw new IllegalArgumentException(
          "Cannot decompose: " + w.length + " values for shape " + rows + "x" + cols);
    }
    int m = Math.min(rows, cols);
    int kk = Math.max(0, Math.min(k, m));
    boolean wide = rows <= cols;
    DMatrixRMaj gram = new DMatrixRMaj(m, m);
    {
      DMatrixRMaj a = new DMatrixRMaj(rows, cols);
      for (int i = 0; i < w.length; i++) {
        a.data[i] = w[i];
      }
      if (wide) {
        CommonOps_DDRM.multOuter(a, gram); // W Wᵀ
      } else {
        CommonOps_DDRM.multInner(a, gram); // Wᵀ W
      }
    }
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m, true, true);
    if (!eig.decompose(gram)) {
      throw new IllegalStateException("Cannot decompose: symmetric eigensolver did not converge");
    }
    Integer[] order = new Integer[m];
    double[] lambda = new double[m];
    for (int i = 0; i < m; i++) {
      order[i] = i;
      lambda[i] = eig.getEigenvalue(i).getReal();
    }
    Arrays.sort(order, (x, y) -> Double.compare(lambda[y], lambda[x]));
    double[] sigma = new double[m];
    for (int i = 0; i < m; i++) {
      sigma[i] = Math.sqrt(Math.max(0, lambda[order[i]]));
    }
    DMatrixRMaj shortSide = new DMatrixRMaj(m, kk);
    for (int j = 0; j < kk; j++) {
      DMatrixRMaj v = eig.getEigenVector(order[j]);
      for (int i = 0; i < m; i++) {
        shortSide.unsafe_set(i, j, v.data[i]);
      }
    }
    int longDim = wide ? cols : rows;
    DMatrixRMaj longSide = new DMatrixRMaj(longDim, kk);
    // other side: Wᵀ u / σ (wide) or W v / σ (tall), straight from the float values
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int c = 0; c < cols; c++) {
        double x = w[base + c];
        if (x == 0) {
          continue;
        }
        for (int j = 0; j < kk; j++) {
          if (wide) {
            longSide.data[c * kk + j] += x * shortSide.data[r * kk + j];
          } else {
            longSide.data[r * kk + j] += x * shortSide.data[c * kk + j];
          }
        }
      }
    }
    for (int j = 0; j < kk; j++) {
      double s = sigma[j];
      for (int i = 0; i < longDim; i++) {
        longSide.data[i * kk + j] = s > 0 ? longSide.data[i * kk + j] / s : 0;
      }
    }
    return wide
        ? new MatrixSpectrum(sigma, shortSide, longSide)
        : new MatrixSpectrum(sigma, longSide, shortSide);
  }

  /** All min(rows, cols) singular values, descending. */
  public double[] singularValues() {
    return singularValues.clone();
  }

  /** Top-k left singular vectors as columns ({@code rows × k}). */
  public DMatrixRMaj left() {
    return left;
  }

  /** Top-k right singular vectors as columns ({@code cols × k}). */
  public DMatrixRMaj right() {
    return right;
  }

  /** k actually kept. */
  public int k() {
    return left.numCols;
  }

  /**
   * |rank-k reconstruction| U_k Σ_k V_kᵀ = U_k (U_kᵀ W) (a projection, so no division by σ),
   * as row-major floats: the values M_princ is selected on.
   */
  public float[] rankKReconstruction(float[] w, int rows, int cols) {
    int kk = k();
    double[] b = new double[kk * cols]; // U_kᵀ W
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      for (int j = 0; j < kk; j++) {
        double u = left.data[r * kk + j];
        if (u == 0) {
          continue;
        }
        int bb = j * cols;
        for (int c = 0; c < cols; c++) {
          b[bb + c] += u * w[base + c];
        }
      }
    }
    float[] out = new float[rows * cols];
    double[] row = new double[cols];
    for (int r = 0; r < rows; r++) {
      Arrays.fill(row, 0);
      for (int j = 0; j < kk; j++) {
        double u = left.data[r * kk + j];
        int bb = j * cols;
        for (int c = 0; c < cols; c++) {
          row[c] += u * b[bb + c];
        }
      }
      int base = r * cols;
      for (int c = 0; c < cols; c++) {
        out[base + c] = (float) row[c];
      }
    }
    return out;
  }

  /** ‖σ(W1) − σ(W0)‖₂ / ‖σ(W0)‖₂ over all singular values (both descending); NaN if W0 = 0. */
  public static double spectralDrift(double[] sigma0, double[] sigma1) {
    double[] parts = driftParts(sigma0, sigma1);
    return parts[1] == 0 ? Double.NaN : Math.sqrt(parts[0] / parts[1]);
  }

  /** {‖σ1 − σ0‖², ‖σ0‖²}: additive across tensors (the drift of a block-diagonal matrix). */
  public static double[] driftParts(double[] sigma0, double[] sigma1) {
    if (sigma0.length != sigma1.length) {
      throw new IllegalArgumentException(
          "Cannot compare spectra of " + sigma0.length + " and " + sigma1.length + " values");
    }
    double diff = 0;
    double base = 0;
    for (int i = 0; i < sigma0.length; i++) {
      double d = sigma1[i] - sigma0[i];
      diff += d * d;
      base += sigma0[i] * sigma0[i];
    }
    return new double[] {diff, base};
  }
}
