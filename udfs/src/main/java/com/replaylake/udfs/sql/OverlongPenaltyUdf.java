package com.replaylake.udfs.sql;

import com.replaylake.udfs.reward.OverlongPenalty;
import org.apache.spark.sql.api.java.UDF3;

/**
 * {@code rl_overlong_penalty(len, max_len, cache_len)}. Accepts any integral SQL type (Spark
 * passes boxed Integer, Long, Short, Byte or BigDecimal); null in, null out.
 */
final class OverlongPenaltyUdf implements UDF3<Number, Number, Number, Double> {
  private static final long serialVersionUID = 1L;

  @Override
  public Double call(Number length, Number maxLength, Number cacheLength) {
    if (length == null || maxLength == null || cacheLength == null) {
      return null;
    }
    return OverlongPenalty.penalty(
        integral(length, "len"), integral(maxLength, "max_len"), integral(cacheLength, "cache_len"));
  }

  private static long integral(Number n, String name) {
    double d = n.doubleValue();
    if (d != Math.rint(d)) {
      throw new IllegalArgumentException(
          "Cannot compute overlong penalty: " + name + " must be a whole number, got " + n);
    }
    return n.longValue();
  }
}
