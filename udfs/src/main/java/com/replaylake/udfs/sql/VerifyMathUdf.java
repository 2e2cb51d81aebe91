package com.replaylake.udfs.sql;

import com.replaylake.udfs.verify.MathAnswerVerifier;
import com.replaylake.udfs.verify.VerifierConfig;
import com.replaylake.udfs.verify.VerifyResult;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;

/** {@code rl_verify_math(response, gold)}: the verifier's full result as a struct. */
final class VerifyMathUdf implements UDF2<String, String, Row> {
  private static final long serialVersionUID = 1L;

  private final MathAnswerVerifier verifier;

  VerifyMathUdf(VerifierConfig config) {
    this.verifier = new MathAnswerVerifier(config);
  }

  @Override
  public Row call(String response, String gold) {
    VerifyResult r = verifier.verify(response, gold);
    return RowFactory.create(r.reward(), r.status().label(), r.extracted());
  }
}
