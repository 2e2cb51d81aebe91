package com.replaylake.policy.dynamics;

import com.replaylake.policy.checkpoint.TensorDtype;

/**
 * The set of entries of a weight tensor whose bfloat16 bit pattern differs between two
 * checkpoints (M_upd of ALGORITHMS.md section 5). Values are compared after rounding each to
 * bf16 (round-to-nearest-even, {@link TensorDtype#toBf16Bits}): BF16 checkpoints compare their
 * stored bits exactly, F32 and F16 checkpoints are first rounded to bf16, so a change smaller than
 * half a bf16 ulp is invisible. Never an absolute tolerance. Note that bit patterns distinguish
 * +0 from -0, as the paper's bit-level comparison does.
 */
public final class ChangeMask {
  private final long[] words;
  private final int size;
  private final long count;

  private ChangeMask(long[] words, int size) {
    this.words = words;
    this.size = size;
    long c = 0;
    for (long w : words) {
      c += Long.bitCount(w);
    }
    this.count = c;
  }

  /** Entries whose bf16 bit pattern differs between {@code w0} and {@code w1} (same length). */
  public static ChangeMask of(float[] w0, float[] w1) {
    if (w0.length != w1.length) {
      throw new IllegalArgumentException(
          "Cannot compare tensors: " + w0.length + " vs " + w1.length + " entries");
    }
    long[] words = new long[(w0.length + 63) >>> 6];
    for (int i = 0; i < w0.length; i++) {
      if (TensorDtype.toBf16Bits(w0[i]) != TensorDtype.toBf16Bits(w1[i])) {
        words[i >>> 6] |= 1L << i;
      }
    }
    return new ChangeMask(words, w0.length);
  }

  /** A mask from explicit bits (tests, and masks built elsewhere). */
  public static ChangeMask fromBits(boolean[] changed) {
    long[] words = new long[(changed.length + 63) >>> 6];
    for (int i = 0; i < changed.length; i++) {
      if (changed[i]) {
        words[i >>> 6] |= 1L << i;
      }
    }
    return new ChangeMask(words, changed.length);
  }

  /** Number of entries compared. */
  public int size() {
    return size;
  }

  /** Number of changed entries |M_upd|. */
  public long changed() {
    return count;
  }

  /** Number of bit-identical entries. */
  public long unchanged() {
    return size - count;
  }

  /** Update sparsity: the fraction of entries whose bf16 bit pattern is unchanged. */
  public double sparsity() {
    return size == 0 ? Double.NaN : unchanged() / (double) size;
  }

  public boolean isChanged(int i) {
    return (words[i >>> 6] & (1L << i)) != 0;
  }

  /** |this ∩ other|. */
  public long intersection(ChangeMask other) {
    requireSameSize(other);
    long c = 0;
    for (int i = 0; i < words.length; i++) {
      c += Long.bitCount(words[i] & other.words[i]);
    }
    return c;
  }

  /** |this ∪ other|. */
  public long union(ChangeMask other) {
    requireSameSize(other);
    long c = 0;
    for (int i = 0; i < words.length; i++) {
      c += Long.bitCount(words[i] | other.words[i]);
    }
    return c;
  }

  private void requireSameSize(ChangeMask other) {
    if (other.size != size) {
      throw new IllegalArgumentException(
          "Cannot combine masks of " + size + " and " + other.size + " entries");
    }
  }
}
