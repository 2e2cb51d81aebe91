package com.replaylake.udfs.verify;

import java.util.Objects;

/**
 * Result of one check.
 *
 * @param reward 1.0 for correct, 0.0 for incorrect or no answer, and null when the status has no
 *     reward ({@link VerifyStatus#INVALID_GOLD}, {@link VerifyStatus#TIMEOUT}): such samples must
 *     be excluded, not scored 0. Null is the project's marker for an absent value.
 * @param status the outcome
 * @param extracted the final answer as extracted from the response (at most
 *     {@link #MAX_EXTRACTED_CHARS} characters), or null when none was extracted
 */
public record VerifyResult(Double reward, VerifyStatus status, String extracted) {
  /** Longest extracted answer kept in a result; longer ones are cut and end with "…". */
  public static final int MAX_EXTRACTED_CHARS = 1000;

  public VerifyResult {
    Objects.requireNonNull(status, "status");
    if (status.hasReward() != (reward != null)) {
      throw new IllegalArgumentException(
          "Cannot build VerifyResult: status " + status.label() + " with reward " + reward);
    }
    if (extracted != null && extracted.length() > MAX_EXTRACTED_CHARS) {
      extracted = extracted.substring(0, MAX_EXTRACTED_CHARS - 1) + "\u2026";
    }
  }

  static VerifyResult correct(String extracted) {
    return new VerifyResult(1.0, VerifyStatus.CORRECT, extracted);
  }

  static VerifyResult incorrect(String extracted) {
    return new VerifyResult(0.0, VerifyStatus.INCORRECT, extracted);
  }

  static VerifyResult noAnswer() {
    return new VerifyResult(0.0, VerifyStatus.NO_ANSWER, null);
  }

  static VerifyResult invalidGold(String extracted) {
    return new VerifyResult(null, VerifyStatus.INVALID_GOLD, extracted);
  }

  static VerifyResult timeout(String extracted) {
    return new VerifyResult(null, VerifyStatus.TIMEOUT, extracted);
  }

  /** True when the status is {@link VerifyStatus#CORRECT}. */
  public boolean isCorrect() {
    return status == VerifyStatus.CORRECT;
  }
}
