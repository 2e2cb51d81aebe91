package com.replaylake.udfs.sql;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.when;

import com.replaylake.udfs.verify.VerifierConfig;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The reward functions as Spark SQL functions and DataFrame {@link Column} helpers.
 *
 * <p>SQL, after {@link #register(SparkSession)}:
 *
 * <pre>{@code
 * SELECT rl_verify_math(response_text, gold_answer) AS v,          -- struct<reward,status,extracted>
 *        rl_math_reward(response_text, gold_answer),               -- double, null for no reward
 *        rl_format_reward(response_text),                          -- 1.0 / 0.0
 *        rl_overlong_penalty(size(response_token_ids), 4096, 512)  -- DAPO soft penalty
 * FROM rollouts
 * }</pre>
 *
 * <p>The verifier and format reward are opaque Java UDFs: Spark runs them on CPU (with the
 * RAPIDS plugin, "on GPU via CPU bridge"). {@link #overlongPenalty(Column, Column, Column)} is
 * built from Spark built-in expressions only, so it can run on the GPU.
 */
public final class RewardFunctions {
  public static final String VERIFY_MATH = "rl_verify_math";
  public static final String MATH_REWARD = "rl_math_reward";
  public static final String FORMAT_REWARD = "rl_format_reward";
  public static final String OVERLONG_PENALTY = "rl_overlong_penalty";

  /** Field names of the {@code rl_verify_math} struct. */
  public static final String REWARD_FIELD = "reward";
  public static final String STATUS_FIELD = "status";
  public static final String EXTRACTED_FIELD = "extracted";

  /** {@code struct<reward: double (null when no reward), status: string, extracted: string>}. */
  public static final StructType VERIFY_RESULT_TYPE = new StructType(new StructField[] {
      DataTypes.createStructField(REWARD_FIELD, DataTypes.DoubleType, true),
      DataTypes.createStructField(STATUS_FIELD, DataTypes.StringType, false),
      DataTypes.createStructField(EXTRACTED_FIELD, DataTypes.StringType, true)});

  private RewardFunctions() {}

  /** Registers all functions with the default verifier settings (strict mode). */
  public static void register(SparkSession spark) {
    register(spark, VerifierConfig.defaults());
  }

  /** Registers all functions; the verifier functions use {@code config}. */
  public static void register(SparkSession spark, VerifierConfig config) {
    Objects.requireNonNull(spark, "spark");
    Objects.requireNonNull(config, "config");
    spark.udf().register(VERIFY_MATH, new VerifyMathUdf(config), VERIFY_RESULT_TYPE);
    spark.udf().register(MATH_REWARD, new MathRewardUdf(config), DataTypes.DoubleType);
    spark.udf().register(FORMAT_REWARD, new FormatRewardUdf(), DataTypes.DoubleType);
    spark.udf().register(OVERLONG_PENALTY, new OverlongPenaltyUdf(), DataTypes.DoubleType);
  }

  /** {@code rl_verify_math} as a column (no registration needed), default settings. */
  public static Column verifyMath(Column response, Column gold) {
    return verifyMath(response, gold, VerifierConfig.defaults());
  }

  public static Column verifyMath(Column response, Column gold, VerifierConfig config) {
    UserDefinedFunction f = functions.udf(new VerifyMathUdf(config), VERIFY_RESULT_TYPE);
    return f.apply(response, gold);
  }

  /** {@code rl_math_reward} as a column, default settings. */
  public static Column mathReward(Column response, Column gold) {
    return mathReward(response, gold, VerifierConfig.defaults());
  }

  public static Column mathReward(Column response, Column gold, VerifierConfig config) {
    return functions.udf(new MathRewardUdf(config), DataTypes.DoubleType).apply(response, gold);
  }

  /** {@code rl_format_reward} as a column. */
  public static Column formatReward(Column response) {
    return functions.udf(new FormatRewardUdf(), DataTypes.DoubleType).apply(response);
  }

  /**
   * DAPO's soft overlong penalty from built-in expressions only (GPU-friendly). Null when any
   * input is null; invalid arguments raise an error naming the bad value.
   */
  public static Column overlongPenalty(Column length, Column maxLength, Column cacheLength) {
    Column free = maxLength.minus(cacheLength);
    Column invalid = length.lt(0).or(maxLength.leq(0)).or(cacheLength.lt(0))
        .or(cacheLength.gt(maxLength));
    Column message = functions.concat(
        lit("Cannot compute overlong penalty: need len >= 0, max_len > 0, 0 <= cache_len <= max_len;"
            + " got len="), length.cast("string"), lit(", max_len="), maxLength.cast("string"),
        lit(", cache_len="), cacheLength.cast("string"));
    return when(length.isNull().or(maxLength.isNull()).or(cacheLength.isNull()),
            lit(null).cast(DataTypes.DoubleType))
        .when(invalid, raise_error(message).cast(DataTypes.DoubleType))
        .when(length.leq(free), lit(0.0))
        .when(length.gt(maxLength), lit(-1.0))
        .otherwise(free.minus(length).cast(DataTypes.DoubleType)
            .divide(cacheLength.cast(DataTypes.DoubleType)));
  }

  public static Column overlongPenalty(Column length, long maxLength, long cacheLength) {
    return overlongPenalty(length, lit(maxLength), lit(cacheLength));
  }
}
