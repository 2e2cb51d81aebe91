package com.replaylake.udfs.verify;

import java.util.Locale;

/** Outcome of one check. Only {@link #CORRECT}, {@link #INCORRECT} and {@link #NO_ANSWER} carry a reward. */
public enum VerifyStatus {
  /** The extracted answer is equivalent to the gold answer (reward 1). */
  CORRECT,
  /** An answer was extracted and it is not equivalent to the gold answer (reward 0). */
  INCORRECT,
  /** No final answer could be extracted from the response (reward 0). */
  NO_ANSWER,
  /** The gold answer is missing or blank: the sample cannot be scored (no reward). */
  INVALID_GOLD,
  /** The check ran out of its time or step budget (no reward; never a silent 0). */
  TIMEOUT;

  /** The lower-case name stored in tables and printed by the CLI. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether a sample with this status has a reward at all. */
  public boolean hasReward() {
    return this == CORRECT || this == INCORRECT || this == NO_ANSWER;
  }
}
