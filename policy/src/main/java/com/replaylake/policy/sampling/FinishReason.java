package com.replaylake.policy.sampling;

import java.util.Locale;

/** Why a sampled response ended (the {@code finish_reason} column). */
public enum FinishReason {
  /** A stop token was sampled (it is the last response token). */
  STOP,
  /** max_new_tokens was reached without a stop token. */
  LENGTH;

  /** The column value: {@code stop} or {@code length}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }
}
