package com.replaylake.policy.learn;

import com.replaylake.policy.PolicyErrors;
import java.util.Locale;

/**
 * How per-token losses are summed into one number (ALGORITHMS.md §3). Expressed as a weight per
 * token so that micro-batches of one batch add up to exactly the full-batch loss: the weights of
 * a micro-batch are computed against the counts of the whole batch ({@link BatchShape}).
 */
public enum LossNormalization {
  /** Sum over all tokens / total tokens of the batch (DAPO): weight 1 / T. */
  TOKEN,
  /** Mean over each response's tokens, then over responses (GRPO): weight 1 / (R · L_i). */
  SEQUENCE,
  /** Sum / (responses · max length) (Dr. GRPO): weight 1 / (R · L_max). */
  CONSTANT;

  /** The config value: {@code token}, {@code sequence} or {@code constant}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static LossNormalization parse(String value) {
    for (LossNormalization n : values()) {
      if (n.key().equals(value)) {
        return n;
      }
    }
    throw PolicyErrors.badLearnerConfig(
        LearnerConfig.LOSS_NORM, value, "use token, sequence or constant");
  }

  /**
   * Per-token weights of the packed tokens of {@code responseLengths} (a micro-batch or the whole
   * batch), against the counts of the whole batch.
   */
  public float[] weights(int[] responseLengths, BatchShape batch) {
    int n = 0;
    for (int l : responseLengths) {
      n += l;
    }
    float[] w = new float[n];
    int at = 0;
    for (int len : responseLengths) {
      double wi = switch (this) {
        case TOKEN -> 1.0 / batch.tokens();
        case SEQUENCE -> 1.0 / ((double) batch.responses() * len);
        case CONSTANT -> 1.0 / ((double) batch.responses() * batch.maxLength());
      };
      for (int j = 0; j < len; j++) {
        w[at++] = (float) wi;
      }
    }
    return w;
  }

  /**
   * Counts of a whole training batch that fix the normalization.
   *
   * @param tokens total response tokens T
   * @param responses responses R, including empty ones (an empty response counts in R for
   *     {@code sequence} and {@code constant}, and contributes no tokens)
   * @param maxLength L_max for {@code constant}: the configured length, or the longest response
   */
  public record BatchShape(long tokens, int responses, int maxLength) {
    public BatchShape {
      if (tokens < 0 || responses < 0 || maxLength < 0) {
        throw PolicyErrors.badArgument("batch shape",
            "tokens=" + tokens + " responses=" + responses + " maxLength=" + maxLength,
            "counts must be >= 0");
      }
    }

    /** The shape of a batch of these response lengths; {@code fixedLength} 0 = the longest. */
    public static BatchShape of(int[] responseLengths, int fixedLength) {
      long t = 0;
      int max = 0;
      for (int l : responseLengths) {
        t += l;
        max = Math.max(max, l);
      }
      return new BatchShape(t, responseLengths.length, fixedLength > 0 ? fixedLength : max);
    }
  }
}
