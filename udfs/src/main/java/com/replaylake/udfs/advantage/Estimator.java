package com.replaylake.udfs.advantage;

import java.util.Arrays;
import java.util.Locale;

/** Group advantage estimators (ALGORITHMS.md section 1). */
public enum Estimator {
  /** (R - mean) / (std + eps), std the sample standard deviation (n - 1). */
  GRPO,
  /** R - mean (Dr. GRPO: no std normalization). */
  DR_GRPO,
  /** R - mean of the other samples = n / (n - 1) * (R - mean). */
  RLOO,
  /** R - mean, then normalized by the mean and sample std over the whole (run, version) batch. */
  REINFORCE_PP;

  /** The name used in options, SQL and the {@code estimator} column. */
  public String sqlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Estimator parse(String name) {
    for (Estimator e : values()) {
      if (e.sqlName().equals(name)) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown estimator '" + name + "'; choose one of "
        + Arrays.stream(values()).map(Estimator::sqlName).toList());
  }
}
