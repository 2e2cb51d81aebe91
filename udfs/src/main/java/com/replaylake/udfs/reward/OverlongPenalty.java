package com.replaylake.udfs.reward;

/**
 * DAPO's soft overlong penalty (ALGORITHMS.md §2) for a response of length L (tokens), maximum
 * length L_max and buffer L_cache: 0 when L ≤ L_max − L_cache; ((L_max − L_cache) − L) / L_cache
 * inside the buffer (from 0 down to −1); −1 beyond L_max.
 */
public final class OverlongPenalty {
  private OverlongPenalty() {}

  /**
   * The penalty, in [−1, 0].
   *
   * @throws IllegalArgumentException when {@code length < 0}, {@code maxLength <= 0}, or
   *     {@code cacheLength} is not in {@code [0, maxLength]}
   */
  public static double penalty(long length, long maxLength, long cacheLength) {
    validate(length, maxLength, cacheLength);
    long free = maxLength - cacheLength;
    if (length <= free) {
      return 0.0;
    }
    if (length > maxLength) {
      return -1.0;
    }
    return (double) (free - length) / cacheLength;
  }

  static void validate(long length, long maxLength, long cacheLength) {
    if (length < 0) {
      throw new IllegalArgumentException(
          "Cannot compute overlong penalty: length must be >= 0, got " + length);
    }
    if (maxLength <= 0) {
      throw new IllegalArgumentException(
          "Cannot compute overlong penalty: max_len must be > 0, got " + maxLength);
    }
    if (cacheLength < 0 || cacheLength > maxLength) {
      throw new IllegalArgumentException("Cannot compute overlong penalty: cache_len must be in [0, "
          + maxLength + "] (max_len), got " + cacheLength);
    }
  }
}
