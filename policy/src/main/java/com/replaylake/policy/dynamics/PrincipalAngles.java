package com.replaylake.policy.dynamics;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Principal angles between two k-dimensional subspaces of R^m given by basis columns.
 *
 * <p>Both bases are orthonormalized (thin QR) first. cos θᵢ = σᵢ(Q_aᵀ Q_b); for angles below
 * 45° the sines σ((I − Q_a Q_aᵀ) Q_b) are used instead (Björck–Golub / Knyazev–Argentati), since
 * arccos loses half the digits near 0: an angle of 1e-7 rad is still resolved.
 */
public final class PrincipalAngles {
  private PrincipalAngles() {}

  /** The k principal angles in radians, ascending. */
  public static double[] between(DMatrixRMaj a, DMatrixRMaj b) {
    if (a.numRows != b.numRows || a.numCols != b.numCols) {
      throw new IllegalArgumentException("Cannot compare subspaces of shapes " + a.numRows + "x"
          + a.numCols + " and " + b.numRows + "x" + b.numCols);
    }
    int k = a.numCols;
    if (k == 0) {
      return new double[0];
    }
    DMatrixRMaj qa = orthonormal(a);
    DMatrixRMaj qb = orthonormal(b);
    DMatrixRMaj c = new DMatrixRMaj(k, k);
    CommonOps_DDRM.multTransA(qa, qb, c);
    double[] cos = singularValues(c);
    Arrays.sort(cos); // ascending
    DMatrixRMaj proj = new DMatrixRMaj(qa.numRows, k);
    CommonOps_DDRM.mult(qa, c, proj);
    DMatrixRMaj residual = new DMatrixRMaj(qb.numRows, k);
    CommonOps_DDRM.subtract(qb, proj, residual);
    double[] sin = singularValues(residual);
    Arrays.sort(sin); // ascending: pairs with cos descending
    double[] angles = new double[k];
    for (int i = 0; i < k; i++) {
      double ci = Math.min(1, cos[k - 1 - i]);
      double si = Math.min(1, sin[i]);
      angles[i] = ci * ci >= 0.5 ? Math.asin(si) : Math.acos(ci);
    }
    Arrays.sort(angles);
    return angles;
  }

  private static DMatrixRMaj orthonormal(DMatrixRMaj x) {
    QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(x.numRows, x.numCols);
    if (!qr.decompose(x.copy())) {
      throw new IllegalStateException("Cannot orthonormalize subspace basis: QR failed");
    }
    return qr.getQ(null, true);
  }

  private static double[] singularValues(DMatrixRMaj x) {
    SingularValueDecomposition_F64<DMatrixRMaj> svd =
        DecompositionFactory_DDRM.svd(x.numRows, x.numCols, false, false, true);
    if (!svd.decompose(x.copy())) {
      throw new IllegalStateException("Cannot compute singular values: SVD did not converge");
    }
    double[] s = svd.getSingularValues();
    return Arrays.copyOf(s, Math.min(x.numRows, x.numCols));
  }
}
