package com.replaylake.policy.dynamics;

/**
 * Overlap of the changed entries with a magnitude mask: the top-α (M_princ, on |rank-k
 * reconstruction|) or bottom-α (M_low, on |W0|) fraction of entries by absolute value.
 *
 * <p>The mask holds exactly K = round(α·n) entries. The threshold is found exactly in O(n) with
 * a two-pass radix select on the float bits of |x| (non-negative floats order like their bit
 * patterns), so no copy or sort of the tensor is needed. Entries tied at the threshold (common:
 * bf16 weights take few distinct values) enter fractionally: if the mask needs r of the t tied
 * entries, each tied changed entry counts r/t, which is the expected overlap under a uniformly
 * random tie-break, and deterministic.
 */
public final class MagnitudeMask {
  private MagnitudeMask() {}

  /** Which end of the magnitude order the mask takes. */
  public enum End {
    TOP,
    BOTTOM
  }

  /**
   * |M ∩ M_upd| where M is the top or bottom {@code alpha} fraction of entries by |values[i]|;
   * possibly fractional because of ties (see the class comment). NaN entries count as largest.
   */
  public static double overlapCount(float[] values, double alpha, End end, ChangeMask changed) {
    int n = values.length;
    if (changed.size() != n) {
      throw new IllegalArgumentException("Cannot overlap: " + n + " values, mask of " + changed.size());
    }
    long k = Math.round(alpha * n);
    if (k <= 0 || changed.changed() == 0) {
      return 0;
    }
    if (k >= n) {
      return changed.changed();
    }
    // Rank (0-based, ascending by |x|) of the threshold entry.
    long rank = end == End.BOTTOM ? k - 1 : n - k;
    int threshold = select(values, rank);
    long below = 0;
    long tied = 0;
    long changedStrict = 0;
    long changedTied = 0;
    for (int i = 0; i < n; i++) {
      int b = absBits(values[i]);
      boolean inStrict = end == End.BOTTOM ? b < threshold : b > threshold;
      if (b < threshold) {
        below++;
      }
      if (b == threshold) {
        tied++;
        if (changed.isChanged(i)) {
          changedTied++;
        }
      } else if (inStrict && changed.isChanged(i)) {
        changedStrict++;
      }
    }
    long strict = end == End.BOTTOM ? below : n - below - tied;
    long needFromTies = k - strict;
    return changedStrict + changedTied * (needFromTies / (double) tied);
  }

  /** Overlap ratio |M ∩ M_upd| / |M_upd|, NaN when nothing changed. */
  public static double overlap(float[] values, double alpha, End end, ChangeMask changed) {
    if (changed.changed() == 0) {
      return Double.NaN;
    }
    return overlapCount(values, alpha, end, changed) / changed.changed();
  }

  static int absBits(float f) {
    int b = Float.floatToRawIntBits(f) & 0x7FFFFFFF;
    return b > 0x7F800000 ? 0x7F800000 + 1 : b; // one NaN pattern, above +inf
  }

  /** The bit pattern of the |x| of rank {@code rank} (0 = smallest) by two 16-bit histograms. */
  static int select(float[] values, long rank) {
    int[] high = new int[1 << 16];
    for (float v : values) {
      high[absBits(v) >>> 16]++;
    }
    long seen = 0;
    int hi = 0;
    for (; hi < high.length; hi++) {
      if (seen + high[hi] > rank) {
        break;
      }
      seen += high[hi];
    }
    int[] low = new int[1 << 16];
    for (float v : values) {
      int b = absBits(v);
      if ((b >>> 16) == hi) {
        low[b & 0xFFFF]++;
      }
    }
    int lo = 0;
    for (; lo < low.length; lo++) {
      if (seen + low[lo] > rank) {
        break;
      }
      seen += low[lo];
    }
    return (hi << 16) | lo;
  }
}
