package com.replaylake.policy.dynamics;

import java.io.Serializable;

/**
 * Additive statistics of the parameter dynamics of one tensor or a group of tensors (a layer,
 * the whole model): every field is a sum or a max, so {@link #merge} of per-tensor stats gives
 * the pooled group statistics, and the metrics of ALGORITHMS.md section 5 are ratios of them.
 *
 * <p>Pooled definitions: sparsity = Σ unchanged / Σ n; spectral drift = √(Σ‖Δσ‖² / Σ‖σ₀‖²) (the
 * drift of the block-diagonal matrix of the group); max angle = max over tensors; mean angle =
 * mean over all angles of all tensors; overlaps = Σ|M ∩ M_upd| / Σ|M_upd|; Jaccard = Σ|A ∩ B| /
 * Σ|A ∪ B| with baseline from the pooled change rates p, q. Spectral and overlap fields are
 * absent (NaN / 0 tensors) when not computed.
 *
 * @param tensors number of tensors pooled
 * @param numel entries compared
 * @param changed |M_upd|: entries whose bf16 bits changed
 * @param sigmaDiffSq Σ (σ₁ᵢ − σ₀ᵢ)²
 * @param sigma0Sq Σ σ₀ᵢ²
 * @param spectralTensors tensors with spectral statistics
 * @param k the requested k of the top-k subspaces (max over tensors of the k used)
 * @param angleCount number of principal angles (per side)
 * @param leftAngleMax max left principal angle (radians)
 * @param leftAngleSum sum of left principal angles
 * @param rightAngleMax max right principal angle
 * @param rightAngleSum sum of right principal angles
 * @param alpha mask fraction α (NaN when overlaps were not computed)
 * @param principalOverlap |M_princ ∩ M_upd| (fractional on ties)
 * @param lowOverlap |M_low ∩ M_upd| (fractional on ties)
 * @param compareTensors tensors with a second run's mask
 * @param compareNumel entries of those tensors
 * @param changedInCompared |M_upd| within those tensors
 * @param compareChanged |M_upd'| of the second run
 * @param intersection |M_upd ∩ M_upd'|
 * @param union |M_upd ∪ M_upd'|
 */
public record DynamicsStats(
    long tensors,
    long numel,
    long changed,
    double sigmaDiffSq,
    double sigma0Sq,
    long spectralTensors,
    int k,
    long angleCount,
    double leftAngleMax,
    double leftAngleSum,
    double rightAngleMax,
    double rightAngleSum,
    double alpha,
    double principalOverlap,
    double lowOverlap,
    long compareTensors,
    long compareNumel,
    long changedInCompared,
    long compareChanged,
    long intersection,
    long union)
    implements Serializable {

  /** Nothing pooled yet. */
  public static DynamicsStats empty() {
    return new DynamicsStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Double.NaN, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** The pooled statistics of two groups. */
  public DynamicsStats merge(DynamicsStats o) {
    return new DynamicsStats(
        tensors + o.tensors,
        numel + o.numel,
        changed + o.changed,
        sigmaDiffSq + o.sigmaDiffSq,
        sigma0Sq + o.sigma0Sq,
        spectralTensors + o.spectralTensors,
        Math.max(k, o.k),
        angleCount + o.angleCount,
        Math.max(leftAngleMax, o.leftAngleMax),
        leftAngleSum + o.leftAngleSum,
        Math.max(rightAngleMax, o.rightAngleMax),
        rightAngleSum + o.rightAngleSum,
        Double.isNaN(alpha) ? o.alpha : alpha,
        principalOverlap + o.principalOverlap,
        lowOverlap + o.lowOverlap,
        compareTensors + o.compareTensors,
        compareNumel + o.compareNumel,
        changedInCompared + o.changedInCompared,
        compareChanged + o.compareChanged,
        intersection + o.intersection,
        union + o.union);
  }

  /** Fraction of entries whose bf16 bit pattern is unchanged. */
  public double updateSparsity() {
    return numel == 0 ? Double.NaN : (numel - changed) / (double) numel;
  }

  /** ‖σ(W1) − σ(W0)‖ / ‖σ(W0)‖, pooled; NaN when not computed. */
  public double spectralDrift() {
    return spectralTensors == 0 || sigma0Sq == 0 ? Double.NaN : Math.sqrt(sigmaDiffSq / sigma0Sq);
  }

  public double leftAngleMean() {
    return angleCount == 0 ? Double.NaN : leftAngleSum / angleCount;
  }

  public double rightAngleMean() {
    return angleCount == 0 ? Double.NaN : rightAngleSum / angleCount;
  }

  public double leftAngleMaxOrNaN() {
    return angleCount == 0 ? Double.NaN : leftAngleMax;
  }

  public double rightAngleMaxOrNaN() {
    return angleCount == 0 ? Double.NaN : rightAngleMax;
  }

  /** |M_princ ∩ M_upd| / |M_upd|; NaN when nothing changed or not computed. */
  public double principalOverlapRatio() {
    return Double.isNaN(alpha) || changed == 0 ? Double.NaN : principalOverlap / changed;
  }

  /** |M_low ∩ M_upd| / |M_upd|. */
  public double lowOverlapRatio() {
    return Double.isNaN(alpha) || changed == 0 ? Double.NaN : lowOverlap / changed;
  }

  /** |A ∩ B| / |A ∪ B| of the two runs' change masks; NaN without a second run or when both are empty. */
  public double jaccard() {
    return compareTensors == 0 || union == 0 ? Double.NaN : intersection / (double) union;
  }

  /** pq / (p + q − pq): the Jaccard of independent masks with the same change rates. */
  public double jaccardBaseline() {
    if (compareTensors == 0 || compareNumel == 0) {
      return Double.NaN;
    }
    double p = changedInCompared / (double) compareNumel;
    double q = compareChanged / (double) compareNumel;
    double denom = p + q - p * q;
    return denom == 0 ? Double.NaN : p * q / denom;
  }
}
