package com.replaylake.udfs.advantage;

import static com.replaylake.schemas.Columns.ADVANTAGE;
import static com.replaylake.schemas.Columns.ESTIMATOR;
import static com.replaylake.schemas.Columns.GROUP_ID;
import static com.replaylake.schemas.Columns.GROUP_MEAN;
import static com.replaylake.schemas.Columns.GROUP_SIZE;
import static com.replaylake.schemas.Columns.GROUP_STD;
import static com.replaylake.schemas.Columns.POLICY_VERSION;
import static com.replaylake.schemas.Columns.REWARD;
import static com.replaylake.schemas.Columns.RUN_ID;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.stddev_samp;
import static org.apache.spark.sql.functions.when;

import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Group advantages as Spark {@link Column} expressions over a window on the group ({@code
 * run_id}, {@code policy_version}, {@code group_id}), built only from Spark built-in functions
 * (count, avg, stddev_samp, min, max, arithmetic, CASE WHEN) so the RAPIDS plugin can run them
 * on the GPU.
 *
 * <p>Conventions (docs/ALGORITHMS-IMPL.md):
 *
 * <ul>
 *   <li>Samples with a null reward (verifier failure, timeout, invalid gold) are excluded from
 *       every group statistic and get a null advantage; they are counted, never treated as 0.
 *   <li>{@code group_size} = samples of the group with a non-null reward; {@code group_std} =
 *       sample standard deviation (n - 1), null for a group of one.
 *   <li>A group of one sample, and a zero-variance group (all non-null rewards equal), get
 *       advantage exactly 0 under every estimator.
 *   <li>{@code reinforce_pp} normalizes the group-centred rewards by their mean and sample std
 *       over the whole (run, version) batch, after zero-variance filtering; the batch statistics
 *       include the zeros of no-signal groups (as OpenRLHF's whitening does), whose own advantage
 *       stays 0.
 * </ul>
 */
public final class GroupAdvantage {
  private GroupAdvantage() {}

  /** Helper columns added by {@link #withGroupStatistics} and removed by {@link #withAdvantages}. */
  public static final String GROUP_ROWS = "_group_rows";
  public static final String ZERO_VARIANCE = "_zero_variance";
  private static final String CENTERED = "_centered";

  /**
   * @param epsilon added to the std in the denominator (default 1e-6)
   * @param filterZeroVariance drop zero-variance groups (DAPO dynamic sampling; default false)
   * @param expectedGroupSize samples per group asked of the rollout job (0 = unknown); smaller
   *     groups are kept with their real size and counted as incomplete
   */
  public record Options(Estimator estimator, double epsilon, boolean filterZeroVariance, int expectedGroupSize) {
    public static final double DEFAULT_EPSILON = 1e-6;

    public Options {
      Objects.requireNonNull(estimator, "estimator");
      if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
        throw new IllegalArgumentException("epsilon must be positive and finite, got " + epsilon);
      }
      if (expectedGroupSize < 0) {
        throw new IllegalArgumentException("expected group size must be >= 0, got " + expectedGroupSize);
      }
    }

    public static Options of(Estimator estimator) {
      return new Options(estimator, DEFAULT_EPSILON, false, 0);
    }
  }

  private static WindowSpec group() {
    return Window.partitionBy(col(RUN_ID), col(POLICY_VERSION), col(GROUP_ID));
  }

  private static WindowSpec batch() {
    return Window.partitionBy(col(RUN_ID), col(POLICY_VERSION));
  }

  /**
   * Adds {@code group_size}, {@code group_mean}, {@code group_std} and the helper columns {@link
   * #GROUP_ROWS} (all samples of the group, null rewards included) and {@link #ZERO_VARIANCE}.
   */
  public static Dataset<Row> withGroupStatistics(Dataset<Row> scored) {
    Column reward = col(REWARD);
    return scored
        .withColumn(GROUP_SIZE, count(reward).over(group()).cast("int"))
        .withColumn(GROUP_MEAN, avg(reward).over(group()))
        .withColumn(GROUP_STD, stddev_samp(reward).over(group()))
        .withColumn(GROUP_ROWS, count(lit(1)).over(group()).cast("int"))
        .withColumn(ZERO_VARIANCE, col(GROUP_SIZE).geq(1).and(min(reward).over(group()).equalTo(max(reward).over(group()))));
  }

  /**
   * Applies the estimator to a frame from {@link #withGroupStatistics}: drops zero-variance groups
   * when asked, adds {@code advantage} and {@code estimator}, removes the helper columns.
   */
  public static Dataset<Row> withAdvantages(Dataset<Row> withStatistics, Options options) {
    Dataset<Row> frame = options.filterZeroVariance()
        ? withStatistics.where(col(ZERO_VARIANCE).equalTo(lit(false))) : withStatistics;
    Column reward = col(REWARD);
    Column n = col(GROUP_SIZE);
    Column mean = col(GROUP_MEAN);
    Column centered = reward.minus(mean);
    Column noSignal = n.leq(1).or(col(ZERO_VARIANCE));
    Column eps = lit(options.epsilon());
    Column advantage = switch (options.estimator()) {
      case GRPO -> centered.divide(coalesce(col(GROUP_STD), lit(0.0)).plus(eps));
      case DR_GRPO -> centered;
      case RLOO -> centered.multiply(n.cast("double")).divide(n.minus(1).cast("double"));
      case REINFORCE_PP -> null;
    };
    if (options.estimator() == Estimator.REINFORCE_PP) {
      frame = frame.withColumn(CENTERED, when(reward.isNull(), lit(null).cast("double"))
          .when(noSignal, lit(0.0)).otherwise(centered));
      Column x = col(CENTERED);
      advantage = x.minus(avg(x).over(batch())).divide(coalesce(stddev_samp(x).over(batch()), lit(0.0)).plus(eps));
      frame = frame.withColumn(ADVANTAGE, when(reward.isNull(), lit(null).cast("double"))
          .when(noSignal, lit(0.0)).otherwise(advantage));
    } else {
      frame = frame.withColumn(ADVANTAGE, when(reward.isNull(), lit(null).cast("double"))
          .when(noSignal, lit(0.0)).otherwise(advantage));
    }
    return frame
        .withColumn(ESTIMATOR, lit(options.estimator().sqlName()))
        .drop(GROUP_ROWS, ZERO_VARIANCE, CENTERED);
  }

  /** Both steps at once. */
  public static Dataset<Row> apply(Dataset<Row> scored, Options options) {
    return withAdvantages(withGroupStatistics(scored), options);
  }
}
