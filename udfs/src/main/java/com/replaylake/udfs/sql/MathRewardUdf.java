package com.replaylake.udfs.sql;

import com.replaylake.udfs.verify.MathAnswerVerifier;
import com.replaylake.udfs.verify.VerifierConfig;
import org.apache.spark.sql.api.java.UDF2;

/** {@code rl_math_reward(response, gold)}: 1.0, 0.0, or null when there is no reward. */
final class MathRewardUdf implements UDF2<String, String, Double> {
  private static final long serialVersionUID = 1L;

  private final MathAnswerVerifier verifier;

  MathRewardUdf(VerifierConfig config) {
    this.verifier = new MathAnswerVerifier(config);
  }

  @Override
  public Double call(String response, String gold) {
    return verifier.verify(response, gold).reward();
  }
}
