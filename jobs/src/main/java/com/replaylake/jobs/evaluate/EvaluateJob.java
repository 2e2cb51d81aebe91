package com.replaylake.jobs.evaluate;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.jobs.rollout.GenerateFunction;
import com.replaylake.jobs.rollout.RolloutJob;
import com.replaylake.jobs.RunIds;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import com.replaylake.udfs.sql.RewardFunctions;
import com.replaylake.udfs.verify.VerifierConfig;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Held-out evaluation of one policy version: greedy decoding of every prompt of (dataset, split)
 * (or the first {@code limit} by prompt id) on the executors, the verifier on each response, and
 * one {@code evaluations} row (n, n_correct, pass@1, mean response length) that replaces the
 * previous evaluation of the same (run, version, dataset, split).
 */
public final class EvaluateJob {
  private EvaluateJob() {}

  public record Options(String runId, int version, String dataset, String split, int limit, int maxNewTokens,
      int promptsPerTask, int maxBatch, String promptTemplate, VerifierConfig verifier) {
    public Options {
      RunIds.check(runId);
      if (dataset == null || split == null) {
        throw Errors.invalidOption("--dataset/--split", dataset + "/" + split, "both are required");
      }
      if (limit < 0 || maxNewTokens < 1 || promptsPerTask < 1 || maxBatch < 1) {
        throw Errors.invalidOption("--limit/--max-new-tokens/--prompts-per-task/--max-batch",
            limit + "/" + maxNewTokens + "/" + promptsPerTask + "/" + maxBatch, "must be positive (limit 0 = all)");
      }
    }
  }

  public record Result(String runId, int version, String dataset, String split, long n, long correct, double passAt1,
      double meanResponseLength, double seconds) {}

  public static Result run(Lakehouse lakehouse, Options o, Consumer<String> progress) {
    long start = System.nanoTime();
    SparkSession spark = lakehouse.spark();
    String checkpoint = PolicyVersions.checkpointUri(lakehouse, o.runId(), o.version());
    Dataset<Row> pool = lakehouse.read(Tables.PROMPTS)
        .where(col(DATASET).equalTo(o.dataset()).and(col(SPLIT).equalTo(o.split())))
        .select(PROMPT_ID, PROMPT, GOLD_ANSWER).orderBy(PROMPT_ID);
    if (o.limit() > 0) {
      pool = pool.limit(o.limit());
    }
    List<Row> work = pool.select(PROMPT_ID, PROMPT).collectAsList();
    if (work.isEmpty()) {
      throw Errors.invalidOption("--dataset/--split", o.dataset() + "/" + o.split(), "no prompts; ingest them first");
    }
    progress.accept("greedy decoding of " + work.size() + " prompts of " + o.dataset() + "/" + o.split());
    GenerateFunction.Spec spec = new GenerateFunction.Spec(o.runId(), o.version(), 0, checkpoint, 1, 0.0, 1.0, 0,
        o.maxNewTokens(), 0, o.promptTemplate(), o.maxBatch());
    var sc = spark.sparkContext();
    GenerateFunction function = new GenerateFunction(spec, sc.longAccumulator("eval samples"),
        sc.longAccumulator("eval tokens"), sc.longAccumulator("policy loads"), sc.longAccumulator("sampler nanoseconds"));
    int tasks = (int) Math.ceil(work.size() / (double) o.promptsPerTask());
    Dataset<Row> generated = RolloutJob.generate(spark, work, tasks, 0, function)
        .join(pool.select(PROMPT_ID, GOLD_ANSWER), PROMPT_ID);
    Row agg;
    try {
      agg = generated
          .withColumn("_status", RewardFunctions.verifyMath(col(RESPONSE_TEXT), col(GOLD_ANSWER), o.verifier())
              .getField(RewardFunctions.STATUS_FIELD))
          .agg(count(lit(1)), sum(when(col("_status").equalTo("correct"), 1L).otherwise(0L)),
              avg(size(col(RESPONSE_TOKEN_IDS))))
          .head();
    } catch (Exception e) { // SparkException is checked in Java's eyes but thrown unchecked
      throw Errors.jobFailed("evaluate " + o.runId() + " v" + o.version(), e);
    }
    long n = agg.getLong(0);
    long correct = agg.isNullAt(1) ? 0 : agg.getLong(1);
    double meanLength = agg.isNullAt(2) ? 0 : agg.getDouble(2);
    Row row = RowFactory.create(o.runId(), o.version(), o.dataset(), o.split(), n, correct, correct / (double) n,
        meanLength, Timestamp.from(Instant.now()));
    lakehouse.replace(Tables.EVALUATIONS, List.of(row), RunIds.where(o.runId(), o.version()) + " AND " + DATASET
        + " = '" + o.dataset().replace("'", "''") + "' AND " + SPLIT + " = '" + o.split().replace("'", "''") + "'",
        "replaylake evaluate " + o.runId() + " v" + o.version());
    return new Result(o.runId(), o.version(), o.dataset(), o.split(), n, correct, correct / (double) n, meanLength,
        (System.nanoTime() - start) / 1e9);
  }
}
