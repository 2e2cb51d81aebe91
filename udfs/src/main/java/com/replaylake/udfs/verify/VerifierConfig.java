package com.replaylake.udfs.verify;

import java.io.Serializable;
import java.util.Objects;

/**
 * Settings of a {@link MathAnswerVerifier}.
 *
 * @param mode extraction mode; default {@link VerifyMode#STRICT}
 * @param timeoutMillis wall-clock bound of one check, in milliseconds (&gt; 0); default
 *     {@value #DEFAULT_TIMEOUT_MILLIS}
 * @param maxSteps work bound of one check in parser/evaluator steps (&gt; 0); default
 *     {@value #DEFAULT_MAX_STEPS}. Unlike the clock it is deterministic, so the same input times
 *     out on every machine.
 * @param goldCacheSize parsed gold answers kept per JVM (0 disables the cache); default
 *     {@value #DEFAULT_GOLD_CACHE_SIZE}
 */
public record VerifierConfig(VerifyMode mode, long timeoutMillis, long maxSteps, int goldCacheSize)
    implements Serializable {
  public static final long DEFAULT_TIMEOUT_MILLIS = 2_000;
  public static final long DEFAULT_MAX_STEPS = 5_000_000;
  public static final int DEFAULT_GOLD_CACHE_SIZE = 65_536;

  public VerifierConfig {
    Objects.requireNonNull(mode, "mode");
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException(
          "Cannot configure verifier: timeoutMillis must be positive, got " + timeoutMillis);
    }
    if (maxSteps <= 0) {
      throw new IllegalArgumentException(
          "Cannot configure verifier: maxSteps must be positive, got " + maxSteps);
    }
    if (goldCacheSize < 0) {
      throw new IllegalArgumentException(
          "Cannot configure verifier: goldCacheSize must be >= 0, got " + goldCacheSize);
    }
  }

  /** Defaults with the given mode. */
  public static VerifierConfig of(VerifyMode mode) {
    return new VerifierConfig(
        mode, DEFAULT_TIMEOUT_MILLIS, DEFAULT_MAX_STEPS, DEFAULT_GOLD_CACHE_SIZE);
  }

  /** Defaults: strict mode. */
  public static VerifierConfig defaults() {
    return of(VerifyMode.STRICT);
  }

  public VerifierConfig withMode(VerifyMode m) {
    return new VerifierConfig(m, timeoutMillis, maxSteps, goldCacheSize);
  }

  public VerifierConfig withTimeoutMillis(long t) {
    return new VerifierConfig(mode, t, maxSteps, goldCacheSize);
  }

  public VerifierConfig withMaxSteps(long s) {
    return new VerifierConfig(mode, timeoutMillis, s, goldCacheSize);
  }

  public VerifierConfig withGoldCacheSize(int n) {
    return new VerifierConfig(mode, timeoutMillis, maxSteps, n);
  }
}
