package com.replaylake.policy.model;

import com.replaylake.policy.PolicyErrors;

/**
 * HF {@code rope_scaling} of the kinds this decoder implements: {@code linear} (position
 * interpolation: every inverse frequency divided by {@code factor}) and {@code llama3} (Llama
 * 3.1+: low frequencies divided by {@code factor}, high ones kept, a smooth blend between, as in
 * HF's {@code _compute_llama3_parameters}). Both leave the attention scaling at 1.
 *
 * @param type {@code linear} or {@code llama3}
 * @param factor the scaling factor (&gt; 0)
 * @param lowFreqFactor llama3 only
 * @param highFreqFactor llama3 only (&gt; lowFreqFactor)
 * @param originalMaxPositionEmbeddings llama3 only: the pre-training context length
 */
public record RopeScaling(
    String type, double factor, double lowFreqFactor, double highFreqFactor,
    int originalMaxPositionEmbeddings) {
  public static final String LINEAR = "linear";
  public static final String LLAMA3 = "llama3";

  public RopeScaling {
    if (!LINEAR.equals(type) && !LLAMA3.equals(type)) {
      throw PolicyErrors.unsupportedConfig("(in memory)", "rope_scaling.rope_type", type,
          "only linear and llama3 are implemented");
    }
    if (!(factor > 0)) {
      throw PolicyErrors.badConfig("(in memory)", "rope_scaling.factor", factor, "must be > 0");
    }
    if (LLAMA3.equals(type) && (!(highFreqFactor > lowFreqFactor) || !(lowFreqFactor > 0)
        || originalMaxPositionEmbeddings <= 0)) {
      throw PolicyErrors.badConfig("(in memory)", "rope_scaling", this,
          "llama3 needs 0 < low_freq_factor < high_freq_factor and"
              + " original_max_position_embeddings > 0");
    }
  }

  /** Applies the scaling to HF's default inverse frequencies (float32, as HF computes them). */
  public float[] apply(float[] invFreq) {
    float[] out = new float[invFreq.length];
    float f = (float) factor;
    if (LINEAR.equals(type)) {
      for (int i = 0; i < out.length; i++) {
        out[i] = invFreq[i] / f;
      }
      return out;
    }
    double lowWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
    double highWavelen = originalMaxPositionEmbeddings / highFreqFactor;
    for (int i = 0; i < out.length; i++) {
      float inv = invFreq[i];
      double wavelen = 2 * Math.PI / inv;
      if (wavelen < highWavelen) {
        out[i] = inv;
      } else if (wavelen > lowWavelen) {
        out[i] = inv / f;
      } else {
        double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
            / (highFreqFactor - lowFreqFactor);
        out[i] = (float) ((1 - smooth) * inv / factor + smooth * inv);
      }
    }
    return out;
  }
}
