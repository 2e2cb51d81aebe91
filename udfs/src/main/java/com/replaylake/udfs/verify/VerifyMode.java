package com.replaylake.udfs.verify;

import java.util.Locale;

/** How hard the extractor looks for a final answer. */
public enum VerifyMode {
  /** Only explicit final answers: {@code \boxed{}}/{@code \fbox{}}, {@code #### N}, "the answer is X". */
  STRICT,
  /** Strict extraction, then the last number in the response as a fallback. */
  LENIENT;

  /** Parses {@code strict} or {@code lenient} (any case). */
  public static VerifyMode parse(String text) {
    for (VerifyMode m : values()) {
      if (m.name().equalsIgnoreCase(text.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "Cannot parse verify mode: '" + text + "' is not one of strict, lenient");
  }

  /** The lower-case name used on command lines and in SQL. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
