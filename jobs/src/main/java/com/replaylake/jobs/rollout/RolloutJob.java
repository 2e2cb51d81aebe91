package com.replaylake.jobs.rollout;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.jobs.RunIds;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The rollout job: takes the step's prompts (a pure function of seed and step, see {@link
 * PromptSchedule}), generates G samples each on the executors with the policy of (run, version),
 * and writes them to {@code rollouts} in one Delta commit that replaces that (run, version, step).
 */
public final class RolloutJob {
  private RolloutJob() {}

  public record Options(String runId, int version, int step, String dataset, String split, int promptsPerStep,
      int samplesPerPrompt, double temperature, double topP, int topK, int maxNewTokens, long seed,
      int promptsPerTask, int maxBatch, String promptTemplate, double gpusPerTask) {
    public Options {
      RunIds.check(runId);
      check("--version", version, version >= 0, "must be >= 0");
      check("--step", step, step >= 0, "must be >= 0");
      check("--prompts-per-step", promptsPerStep, promptsPerStep >= 1, "must be >= 1");
      check("--samples-per-prompt", samplesPerPrompt, samplesPerPrompt >= 1, "must be >= 1");
      check("--temperature", temperature, temperature >= 0 && Double.isFinite(temperature), "must be >= 0");
      check("--top-p", topP, topP > 0 && topP <= 1, "must be in (0, 1]");
      check("--top-k", topK, topK >= 0, "must be >= 0 (0 = off)");
      check("--max-new-tokens", maxNewTokens, maxNewTokens >= 1, "must be >= 1");
      check("--prompts-per-task", promptsPerTask, promptsPerTask >= 1, "must be >= 1");
      check("--max-batch", maxBatch, maxBatch >= 1, "must be >= 1");
      check("--gpus-per-task", gpusPerTask, gpusPerTask >= 0, "must be >= 0");
      if (promptTemplate == null || !promptTemplate.contains("{prompt}")) {
        throw Errors.invalidOption("--prompt-template", String.valueOf(promptTemplate), "must contain {prompt}");
      }
      if (dataset == null || split == null) {
        throw Errors.invalidOption("--dataset/--split", dataset + "/" + split, "both are required");
      }
    }

    private static void check(String option, Object value, boolean ok, String reason) {
      if (!ok) {
        throw Errors.invalidOption(option, String.valueOf(value), reason);
      }
    }
  }

  public record Result(String runId, int version, int step, long epoch, int prompts, long samples, long tokens,
      double seconds, double tokensPerSecond, Map<String, Long> finishReasons, long modelLoads, int tasks,
      double generationSeconds, Map<String, Long> executorLoads) {}

  public static Result run(Lakehouse lakehouse, Options o, Consumer<String> progress) {
    SparkSession spark = lakehouse.spark();
    String checkpoint = PolicyVersions.checkpointUri(lakehouse, o.runId(), o.version());

    Dataset<Row> pool = lakehouse.read(Tables.PROMPTS)
        .where(col(DATASET).equalTo(o.dataset()).and(col(SPLIT).equalTo(o.split())));
    List<String> ids = new ArrayList<>();
    for (Row r : pool.select(PROMPT_ID).collectAsList()) {
      ids.add(r.getString(0));
    }
    if (ids.isEmpty()) {
      throw Errors.invalidOption("--dataset/--split", o.dataset() + "/" + o.split(), "no prompts; ingest them first");
    }
    if (o.promptsPerStep() > ids.size()) {
      throw Errors.invalidOption("--prompts-per-step", Integer.toString(o.promptsPerStep()),
          "exceeds the " + ids.size() + " prompts of " + o.dataset() + "/" + o.split());
    }
    PromptSchedule schedule = new PromptSchedule(ids, o.seed());
    List<String> selected = schedule.promptsForStep(o.step(), o.promptsPerStep());
    Map<String, String> texts = new HashMap<>();
    for (Row r : pool.where(col(PROMPT_ID).isin(selected.toArray())).select(PROMPT_ID, PROMPT).collectAsList()) {
      texts.put(r.getString(0), r.getString(1));
    }
    List<Row> work = new ArrayList<>();
    for (String id : selected) {
      work.add(RowFactory.create(id, texts.get(id)));
    }
    int tasks = (int) Math.ceil(work.size() / (double) o.promptsPerTask());
    LongAccumulator samples = spark.sparkContext().longAccumulator("rollout samples");
    LongAccumulator tokens = spark.sparkContext().longAccumulator("rollout tokens");
    LongAccumulator loads = spark.sparkContext().longAccumulator("policy loads");
    LongAccumulator samplerNanos = spark.sparkContext().longAccumulator("sampler nanoseconds");
    CollectionAccumulator<String> loadedBy = spark.sparkContext().collectionAccumulator("policy loads by executor");
    GenerateFunction.Spec spec = new GenerateFunction.Spec(o.runId(), o.version(), o.step(), checkpoint,
        o.samplesPerPrompt(), o.temperature(), o.topP(), o.topK(), o.maxNewTokens(), o.seed(), o.promptTemplate(),
        o.maxBatch());
    Dataset<Row> rows = generate(spark, work, tasks, o.gpusPerTask(), new GenerateFunction(spec, samples, tokens, loads, samplerNanos,
        loadedBy));

    long total = (long) o.promptsPerStep() * o.samplesPerPrompt();
    long start = System.nanoTime();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rollout-progress");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(() -> {
      double s = (System.nanoTime() - start) / 1e9;
      progress.accept(String.format("step %d: %d/%d samples, %d tokens, %.0f tokens/s", o.step(), samples.value(),
          total, tokens.value(), tokens.value() / Math.max(s, 1e-9)));
    }, 5, 5, TimeUnit.SECONDS);
    String where = RunIds.where(o.runId(), o.version()) + " AND " + STEP + " = " + o.step();
    try {
      lakehouse.replace(Tables.ROLLOUTS, rows, where,
          "replaylake rollout " + o.runId() + " v" + o.version() + " step " + o.step());
    } catch (Exception e) { // SparkException is checked in Java's eyes but thrown unchecked
      throw Errors.jobFailed("rollout " + o.runId() + " v" + o.version() + " step " + o.step(), e);
    } finally {
      ticker.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    Dataset<Row> written = lakehouse.read(Tables.ROLLOUTS).where(where);
    Row agg = written.agg(org.apache.spark.sql.functions.count(col(RUN_ID)), sum(size(col(RESPONSE_TOKEN_IDS)))).head();
    Map<String, Long> reasons = new TreeMap<>();
    for (Row r : written.groupBy(FINISH_REASON).count().collectAsList()) {
      reasons.put(r.getString(0), r.getLong(1));
    }
    long tokenCount = agg.isNullAt(1) ? 0 : agg.getLong(1);
    Map<String, Long> executorLoads = new TreeMap<>();
    for (String executor : loadedBy.value()) {
      executorLoads.merge(executor, 1L, Long::sum);
    }
    Result result = new Result(o.runId(), o.version(), o.step(), schedule.epochOf(o.step(), o.promptsPerStep()),
        selected.size(), agg.getLong(0), tokenCount, seconds, tokenCount / seconds, reasons, loads.value(), tasks,
        samplerNanos.value() / 1e9, executorLoads);
    writeMetrics(lakehouse, result, where);
    return result;
  }

  /**
   * Generation on the executors (lazy): {@code (prompt_id, prompt)} rows in {@code tasks} tasks,
   * each task running {@code function}; the result has the {@code rollouts} schema.
   */
  public static Dataset<Row> generate(SparkSession spark, List<Row> work, int tasks, double gpusPerTask,
      GenerateFunction function) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<Row> input = jsc.parallelize(work, Math.max(1, tasks));
    if (gpusPerTask > 0) {
      // stage-level scheduling: this stage's tasks each ask for a share of a GPU
      ResourceProfile profile = new ResourceProfileBuilder()
          .require(new TaskResourceRequests().resource("gpu", gpusPerTask)).build();
      input = input.withResources(profile);
    }
    return spark.createDataFrame(input.mapPartitions(function), Tables.ROLLOUTS.schema());
  }

  private static void writeMetrics(Lakehouse lakehouse, Result r, String where) {
    Row row = RowFactory.create(r.runId(), r.version(), r.step(), (int) r.epoch(), r.prompts(), r.samples(), r.tokens(),
        r.seconds(), r.tokensPerSecond(), CollectionConverters.asScala(r.finishReasons()), r.modelLoads(), r.tasks(),
        Timestamp.from(Instant.now()), r.generationSeconds(), CollectionConverters.asScala(r.executorLoads()));
    lakehouse.replace(Tables.ROLLOUT_METRICS, List.of(row), where, "replaylake rollout metrics");
  }
}
