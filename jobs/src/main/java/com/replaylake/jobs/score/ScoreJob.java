package com.replaylake.jobs.score;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.replaylake.jobs.RunIds;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import com.replaylake.udfs.advantage.GroupAdvantage;
import com.replaylake.udfs.sql.RewardFunctions;
import com.replaylake.udfs.verify.VerifierConfig;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The score job: {@code rollouts} of one (run, version) joined with {@code prompts}, rewarded by
 * the verifier (and optional format / overlong terms), given group advantages, written to {@code
 * experiences} with one Delta commit that replaces that (run, version) — so a rerun never
 * duplicates rows — and summarized in {@code score_metrics}.
 */
public final class ScoreJob {
  private ScoreJob() {}

  /**
   * @param maxResponseLength L_max of the overlong penalty; 0 = each rollout's max_new_tokens
   * @param overlongBuffer L_cache of the overlong penalty; 0 = L_max / 5
   */
  public record Options(String runId, int version, GroupAdvantage.Options advantage, RewardSpec reward,
      VerifierConfig verifier, int maxResponseLength, int overlongBuffer) {
    public Options {
      Objects.requireNonNull(advantage, "advantage");
      Objects.requireNonNull(reward, "reward");
      Objects.requireNonNull(verifier, "verifier");
      RunIds.check(runId);
      if (version < 0) {
        throw Errors.invalidOption("--version", Integer.toString(version), "must be >= 0");
      }
      if (maxResponseLength < 0 || overlongBuffer < 0) {
        throw Errors.invalidOption("--max-response-length/--overlong-buffer",
            maxResponseLength + "/" + overlongBuffer, "must be >= 0 (0 = derive from the rollouts)");
      }
      if (maxResponseLength > 0 && overlongBuffer > maxResponseLength) {
        throw Errors.invalidOption("--overlong-buffer", Integer.toString(overlongBuffer),
            "must not exceed --max-response-length " + maxResponseLength);
      }
    }
  }

  /** What the job did; the same numbers are in {@code score_metrics}. */
  public record Result(String runId, int version, String estimator, String rewardSpec, long samples, long groups,
      Double meanReward, Double passRate, long nullRewards, long zeroVarianceGroups, long zeroVarianceSamplesDropped,
      long incompleteGroups, Map<String, Long> statusCounts, long rowsWritten, double seconds) {}

  public static Result run(Lakehouse lakehouse, Options options, Consumer<String> progress) {
    long start = System.nanoTime();
    String where = RunIds.where(options.runId(), options.version());
    Dataset<Row> rollouts = lakehouse.read(Tables.ROLLOUTS).where(where);
    Dataset<Row> prompts = lakehouse.read(Tables.PROMPTS).select(col(PROMPT_ID), col(GOLD_ANSWER));

    Dataset<Row> unknown = rollouts.select(PROMPT_ID).distinct().join(prompts, PROMPT_ID, "left_anti");
    List<Row> examples = unknown.limit(3).collectAsList();
    if (!examples.isEmpty()) {
      throw Errors.invalidOption("--run/--version", options.runId() + "/" + options.version(),
          unknown.count() + " prompt ids of the rollouts are missing from prompts (e.g. "
              + examples.stream().map(r -> r.getString(0)).toList() + "); ingest their dataset first");
    }

    Dataset<Row> joined = rollouts.join(prompts, PROMPT_ID);
    Column verify = RewardFunctions.verifyMath(col(RESPONSE_TEXT), col(GOLD_ANSWER), options.verifier());
    Dataset<Row> verified = joined.withColumn("_verify", verify)
        .withColumn(STATUS, col("_verify." + RewardFunctions.STATUS_FIELD))
        .withColumn(EXTRACTED, col("_verify." + RewardFunctions.EXTRACTED_FIELD))
        .withColumn("_math", col("_verify." + RewardFunctions.REWARD_FIELD));

    List<Column> components = new ArrayList<>();
    Column total = col("_math");
    components.add(lit(RewardSpec.Term.MATH.key()));
    components.add(col("_math"));
    if (options.reward().has(RewardSpec.Term.FORMAT)) {
      Column format = RewardFunctions.formatReward(col(RESPONSE_TEXT));
      verified = verified.withColumn("_format", format);
      total = total.plus(col("_format"));
      components.add(lit(RewardSpec.Term.FORMAT.key()));
      components.add(col("_format"));
    }
    if (options.reward().has(RewardSpec.Term.OVERLONG)) {
      Column maxLen = options.maxResponseLength() > 0
          ? lit(options.maxResponseLength()) : col(SAMPLING + "." + Sampling.MAX_NEW_TOKENS);
      Column buffer = options.overlongBuffer() > 0
          ? least(lit(options.overlongBuffer()), maxLen) : maxLen.divide(5).cast("int");
      verified = verified.withColumn("_overlong",
          RewardFunctions.overlongPenalty(size(col(RESPONSE_TOKEN_IDS)), maxLen, buffer));
      total = total.plus(col("_overlong"));
      components.add(lit(RewardSpec.Term.OVERLONG.key()));
      components.add(col("_overlong"));
    }
    Timestamp now = Timestamp.from(Instant.now());
    Dataset<Row> scored = verified
        .withColumn(REWARD, total)
        .withColumn(REWARD_COMPONENTS, map(components.toArray(Column[]::new)))
        .withColumn(SCORED_AT, lit(now));

    Dataset<Row> withStats = GroupAdvantage.withGroupStatistics(scored).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      progress.accept("verifying and computing group statistics");
      int expected = options.advantage().expectedGroupSize();
      Row agg = withStats.agg(
          count(lit(1)),
          count_distinct(col(GROUP_ID)),
          avg(col(REWARD)),
          avg(when(col(STATUS).equalTo("correct"), 1.0).otherwise(0.0)),
          sum(when(col(REWARD).isNull(), 1L).otherwise(0L)),
          count_distinct(when(col(GroupAdvantage.ZERO_VARIANCE), col(GROUP_ID))),
          sum(when(col(GroupAdvantage.ZERO_VARIANCE), 1L).otherwise(0L)),
          count_distinct(when(lit(expected > 0).and(col(GroupAdvantage.GROUP_ROWS).lt(expected)), col(GROUP_ID))))
          .head();
      long samples = agg.getLong(0);
      if (samples == 0) {
        throw Errors.invalidOption("--run/--version", options.runId() + "/" + options.version(),
            "no rollouts for this run and version; run the rollout job first");
      }
      Map<String, Long> statuses = new TreeMap<>();
      for (Row r : withStats.groupBy(STATUS).count().collectAsList()) {
        statuses.put(r.getString(0), r.getLong(1));
      }
      long zeroVarianceSamples = agg.isNullAt(6) ? 0 : agg.getLong(6);
      long dropped = options.advantage().filterZeroVariance() ? zeroVarianceSamples : 0;

      Dataset<Row> experiences = GroupAdvantage.withAdvantages(withStats, options.advantage())
          .select(Tables.EXPERIENCES.columnNames().stream().map(c -> col(c)).toArray(Column[]::new));
      progress.accept("writing experiences");
      lakehouse.replace(Tables.EXPERIENCES, experiences, where,
          "replaylake score " + options.runId() + " v" + options.version());
      long written = samples - dropped;
      double seconds = (System.nanoTime() - start) / 1e9;
      Result result = new Result(options.runId(), options.version(), options.advantage().estimator().sqlName(),
          options.reward().toString(), samples, agg.getLong(1), agg.isNullAt(2) ? null : agg.getDouble(2),
          agg.isNullAt(3) ? null : agg.getDouble(3), agg.isNullAt(4) ? 0 : agg.getLong(4), agg.getLong(5), dropped,
          agg.getLong(7), statuses, written, seconds);
      writeMetrics(lakehouse, result, options, where, now);
      return result;
    } finally {
      withStats.unpersist();
    }
  }

  private static void writeMetrics(Lakehouse lakehouse, Result r, Options options, String where, Timestamp now) {
    Row row = RowFactory.create(r.runId(), r.version(), r.estimator(), r.rewardSpec(), r.samples(), r.groups(),
        r.meanReward(), r.passRate(), r.nullRewards(), r.zeroVarianceGroups(), r.zeroVarianceSamplesDropped(),
        r.incompleteGroups(), options.advantage().expectedGroupSize() > 0 ? options.advantage().expectedGroupSize() : null,
        CollectionConverters.asScala(r.statusCounts()), r.rowsWritten(), r.seconds(), now);
    lakehouse.replace(Tables.SCORE_METRICS, List.of(row), where, "replaylake score metrics");
  }
}
