package com.replaylake.policy.dynamics;

/**
 * The metrics of ALGORITHMS.md section 5 for one 2-D weight matrix: base W0 vs fine-tuned W1,
 * optionally a second run's W1' (fine-tuned from the same W0) for cross-run locality.
 *
 * <p>Memory: W0, W1 (and W1') as floats, W0 or W1 once more as doubles during its Gram product,
 * the m×m Gram matrix and eigenvectors (m = min(rows, cols)), and |rank-k reconstruction| as
 * floats. For 4096×11008 that is about 1.6 GB (see docs/dynamics.md).
 */
public final class ParameterDynamics {
  private ParameterDynamics() {}

  /** What to compute. */
  public record Settings(int k, double alpha) implements java.io.Serializable {
    public Settings {
      if (k < 1) {
        throw new IllegalArgumentException("Cannot analyze: k must be at least 1, got " + k);
      }
      if (!(alpha > 0 && alpha < 1)) {
        throw new IllegalArgumentException("Cannot analyze: alpha must be in (0, 1), got " + alpha);
      }
    }
  }

  /**
   * Compares one matrix.
   *
   * @param w0 base values, row-major {@code rows × cols}
   * @param w1 fine-tuned values
   * @param w1Compare the second run's values, or null
   */
  public static DynamicsStats compare(
      float[] w0, float[] w1, float[] w1Compare, int rows, int cols, Settings s) {
    ChangeMask changed = ChangeMask.of(w0, w1);
    long compareTensors = 0;
    long compareNumel = 0;
    long changedInCompared = 0;
    long compareChanged = 0;
    long intersection = 0;
    long union = 0;
    if (w1Compare != null) {
      ChangeMask other = ChangeMask.of(w0, w1Compare);
      compareTensors = 1;
      compareNumel = w0.length;
      changedInCompared = changed.changed();
      compareChanged = other.changed();
      intersection = changed.intersection(other);
      union = changed.union(other);
    }
    double lowOverlap = MagnitudeMask.overlapCount(w0, s.alpha(), MagnitudeMask.End.BOTTOM, changed);
    MatrixSpectrum sp0 = MatrixSpectrum.of(w0, rows, cols, s.k());
    double principalOverlap = MagnitudeMask.overlapCount(
        sp0.rankKReconstruction(w0, rows, cols), s.alpha(), MagnitudeMask.End.TOP, changed);
    MatrixSpectrum sp1 = MatrixSpectrum.of(w1, rows, cols, s.k());
    double[] drift = MatrixSpectrum.driftParts(sp0.singularValues(), sp1.singularValues());
    double[] left = PrincipalAngles.between(sp0.left(), sp1.left());
    double[] right = PrincipalAngles.between(sp0.right(), sp1.right());
    return new DynamicsStats(1, w0.length, changed.changed(), drift[0], drift[1], 1, sp0.k(),
        left.length, max(left), sum(left), max(right), sum(right), s.alpha(), principalOverlap,
        lowOverlap, compareTensors, compareNumel, changedInCompared, compareChanged, intersection,
        union);
  }

  private static double max(double[] x) {
    double m = 0;
    for (double v : x) {
      m = Math.max(m, v);
    }
    return m;
  }

  private static double sum(double[] x) {
    double m = 0;
    for (double v : x) {
      m += v;
    }
    return m;
  }
}
