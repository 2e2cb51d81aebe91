package com.replaylake.udfs.sql;

import com.replaylake.udfs.reward.FormatReward;
import org.apache.spark.sql.api.java.UDF1;

/** {@code rl_format_reward(response)}: 1.0 for a well-formed response, else 0.0. */
final class FormatRewardUdf implements UDF1<String, Double> {
  private static final long serialVersionUID = 1L;

  @Override
  public Double call(String response) {
    return FormatReward.score(response);
  }
}
