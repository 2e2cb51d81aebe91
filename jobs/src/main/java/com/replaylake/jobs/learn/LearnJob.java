package com.replaylake.jobs.learn;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.functions.col;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.replaylake.jobs.policy.HadoopCheckpoints;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.jobs.rollout.PromptSchedule;
import com.replaylake.jobs.RunIds;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.checkpoint.TensorDtype;
import com.replaylake.policy.learn.AdamW;
import com.replaylake.policy.learn.LearnerConfig;
import com.replaylake.policy.learn.LearnerMetrics;
import com.replaylake.policy.learn.LearnerStep;
import com.replaylake.policy.learn.TrainingSequence;
import com.replaylake.policy.sampling.DistributionParams;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The learner job: trains the latest version k of a run on its experiences (fresh, from version k,
 * and for ReMix replayed from versions k-1..k-N) and publishes version k+1 atomically: checkpoint
 * and optimizer state to a staging folder, rename into place, {@code learner_metrics} rows, then
 * the {@code policy_versions} row (the commit point). Batches are a pure function of (seed,
 * learner step), so a learner restarted after a crash redoes the unpublished version identically:
 * no experience is trained twice within a version's budget.
 */
public final class LearnJob {
  private LearnJob() {}

  /**
   * @param device learner device: {@code auto} (the first GPU the engine sees, else the CPU), {@code cpu},
   *     {@code gpu:N}
   */
  public record Options(String runId, int stepsPerVersion, int batchSize, long seed, Map<String, String> config,
      String device) {
    public Options(String runId, int stepsPerVersion, int batchSize, long seed, Map<String, String> config) {
      this(runId, stepsPerVersion, batchSize, seed, config, "auto");
    }

    public Options {
      RunIds.check(runId);
      if (stepsPerVersion < 1) {
        throw Errors.invalidOption("--steps-per-version", Integer.toString(stepsPerVersion), "must be >= 1");
      }
      if (batchSize < 1) {
        throw Errors.invalidOption("--batch-size", Integer.toString(batchSize), "must be >= 1");
      }
      config = Map.copyOf(config);
    }
  }

  public record Result(String runId, int fromVersion, int toVersion, long firstStep, long lastStep, long samples,
      long tokens, double meanLoss, double seconds, String checkpointUri) {}

  /** A scored response and the version that generated it. */
  private record Experience(int version, TrainingSequence sequence) {}

  public static Result run(Lakehouse lakehouse, Options o, Consumer<String> progress) {
    long start = System.nanoTime();
    LearnerConfig cfg;
    try {
      cfg = LearnerConfig.fromMap(o.config());
    } catch (RuntimeException e) {
      throw Errors.invalidConfig("--set", "learner", null, Errors.innermostMessage(e));
    }
    int k = PolicyVersions.latestVersion(lakehouse, o.runId()).orElseThrow(() -> Errors.invalidOption("--run",
        o.runId(), "no policy versions; register a base first (bin/replaylake register-base --run " + o.runId() + ")"));
    long firstStep = nextLearnerStep(lakehouse, o.runId());
    RlStart rl = rlStart(lakehouse, o.runId());
    long rlFirst = firstStep - rl.learnerStep(); // ReMix schedules count RL steps only (after SFT)
    Configuration conf = lakehouse.spark().sparkContext().hadoopConfiguration();
    Device device = device(o.device());

    List<Experience> fresh = read(lakehouse, o.runId(), k, k);
    if (fresh.isEmpty()) {
      throw Errors.invalidOption("--run", o.runId(), "no scored experiences for version " + k
          + " (with a non-null advantage); run rollout and score for it first");
    }
    List<Experience> replay = cfg.replayVersions() > 0 && k > rl.version() && !cfg.onPolicy(rlFirst)
        ? read(lakehouse, o.runId(), Math.max(rl.version(), k - cfg.replayVersions()), k - 1) : List.of();
    DistributionParams scoring = samplingOf(lakehouse, o.runId(), k);
    progress.accept("learner device " + device);
    progress.accept(String.format("version %d: %d fresh and %d replayable experiences; learner steps %d..%d",
        k, fresh.size(), replay.size(), firstStep, firstStep + o.stepsPerVersion() - 1));

    String current = PolicyVersions.checkpointUri(lakehouse, o.runId(), k);
    List<Row> metricRows = new ArrayList<>();
    double lossSum = 0;
    long samples = 0;
    long tokens = 0;
    String target = lakehouse.checkpointUri(o.runId(), k + 1);
    String staging = target + ".tmp-" + UUID.randomUUID();
    try (PolicyModel policy = PolicyModel.load(HadoopCheckpoints.source(current, conf), device, DataType.FLOAT32);
        PolicyModel base = cfg.klBeta() > 0 ? loadVersion(lakehouse, o.runId(), baseVersion(lakehouse, o.runId(), cfg, rl, rlFirst), conf, device) : null;
        PolicyModel prev = cfg.klBeta() > 0 && k > rl.version() ? loadVersion(lakehouse, o.runId(), k - 1, conf, device) : null;
        AdamW optimizer = new AdamW(policy.decoder(), cfg)) {
      var source = HadoopCheckpoints.source(current, conf);
      if (source.exists("optimizer.json")) {
        optimizer.load(source);
      }
      LearnerStep learner = new LearnerStep(policy.decoder(), optimizer, cfg, scoring);
      for (long t = firstStep; t < firstStep + o.stepsPerVersion(); t++) {
        long stepStart = System.nanoTime();
        long rt = t - rl.learnerStep(); // the RL step: ReMix's p(t), m(t), lambda(t) and T count from the RL start
        double p = replay.isEmpty() ? 0 : cfg.replayFractionAt(rt);
        List<Experience> batch = batch(fresh, replay, p, o.batchSize(), o.seed(), t);
        List<TrainingSequence> sequences = learner.prepare(batch.stream().map(Experience::sequence).toList(), rt,
            base == null ? null : base.decoder(), prev == null ? null : prev.decoder());
        List<LearnerMetrics> passes = new ArrayList<>();
        for (int pass = 0; pass < cfg.utdAt(rt); pass++) {
          passes.add(learner.update(sequences, rt));
        }
        Map<Integer, Long> staleness = new TreeMap<>();
        long replayed = 0;
        for (Experience e : batch) {
          staleness.merge(k - e.version(), 1L, Long::sum);
          replayed += e.version() < k ? 1 : 0;
        }
        LearnerMetrics last = passes.get(passes.size() - 1);
        double loss = passes.stream().mapToDouble(LearnerMetrics::loss).average().orElse(Double.NaN);
        lossSum += loss;
        samples += batch.size();
        tokens += last.tokens();
        double seconds = (System.nanoTime() - stepStart) / 1e9;
        metricRows.add(RowFactory.create(o.runId(), (int) t, k + 1, loss, mean(passes, LearnerMetrics::pgLoss),
            mean(passes, LearnerMetrics::klLoss), mean(passes, LearnerMetrics::entropyLoss),
            mean(passes, LearnerMetrics::klBase), mean(passes, LearnerMetrics::klPrev),
            mean(passes, LearnerMetrics::entropy), mean(passes, LearnerMetrics::clipFractionLow),
            mean(passes, LearnerMetrics::clipFractionHigh), mean(passes, LearnerMetrics::ratioMean),
            passes.stream().mapToDouble(LearnerMetrics::ratioMax).max().orElse(Double.NaN), last.gradNorm(),
            last.learningRate(), last.tokens(), (long) batch.size(), 1.0 - replayed / (double) batch.size(),
            replayed / (double) batch.size(), CollectionConverters.asScala(staleness), last.meanResponseLength(),
            seconds, Timestamp.from(Instant.now())));
        progress.accept(String.format("learner step %d: loss %.4f, kl_base %.4f, clip %.3f/%.3f, grad norm %.3f, "
                + "%d samples (%d replayed), %.1f s", t, loss, last.klBase(), last.clipFractionLow(),
            last.clipFractionHigh(), last.gradNorm(), batch.size(), replayed, seconds));
      }
      policy.save(HadoopCheckpoints.sink(staging, conf), TensorDtype.F32);
      optimizer.save(HadoopCheckpoints.sink(staging, conf));
      PolicyVersions.publish(lakehouse, staging, target);
    } catch (IOException e) {
      throw Errors.jobFailed("learn " + o.runId(), e);
    }
    long lastStep = firstStep + o.stepsPerVersion() - 1;
    lakehouse.replace(Tables.LEARNER_METRICS, metricRows, RunIds.where(o.runId(), k + 1),
        "replaylake learn " + o.runId() + " v" + (k + 1));
    Map<String, String> config = new LinkedHashMap<>(cfg.toMap());
    config.put("steps_per_version", Integer.toString(o.stepsPerVersion()));
    config.put("batch_size", Integer.toString(o.batchSize()));
    config.put("seed", Long.toString(o.seed()));
    PolicyVersions.commit(lakehouse, o.runId(), k + 1, k, "rl", target, (int) lastStep + 1, config);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(o.runId(), k, k + 1, firstStep, lastStep, samples, tokens, lossSum / o.stepsPerVersion(),
        seconds, target);
  }

  private static double mean(List<LearnerMetrics> passes, java.util.function.ToDoubleFunction<LearnerMetrics> f) {
    return passes.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  /** {@code auto} (the first GPU the engine sees, else the CPU), {@code cpu} or {@code gpu:N}. */
  public static Device device(String spec) {
    try {
      return "auto".equals(spec)
          ? (ai.djl.engine.Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu())
          : com.replaylake.policy.PolicyRuntime.device(spec);
    } catch (RuntimeException e) {
      throw Errors.invalidOption("--device", spec, Errors.innermostMessage(e));
    }
  }

  /** Learner steps already taken in the run (SFT and RL): the published versions' learner_step. */
  public static long nextLearnerStep(Lakehouse lakehouse, String runId) {
    Row row = lakehouse.read(Tables.POLICY_VERSIONS).where(col(RUN_ID).equalTo(runId))
        .agg(org.apache.spark.sql.functions.max(LEARNER_STEP)).head();
    return row.isNullAt(0) ? 0 : row.getInt(0);
  }

  /** Where RL starts in a run: the latest version that is not an RL version (the base, or an SFT warm start). */
  public record RlStart(int version, long learnerStep) {}

  /** The run's RL start: its latest base or sft version and the learner steps taken when it was published. */
  public static RlStart rlStart(Lakehouse lakehouse, String runId) {
    List<Row> rows = lakehouse.read(Tables.POLICY_VERSIONS)
        .where(col(RUN_ID).equalTo(runId).and(col(KIND).notEqual("rl")))
        .orderBy(col(VERSION).desc()).select(VERSION, LEARNER_STEP).limit(1).collectAsList();
    return rows.isEmpty() ? new RlStart(0, 0) : new RlStart(rows.get(0).getInt(0), rows.get(0).getInt(1));
  }

  /**
   * The KL anchor (reference). Before reincarnation, the RL start: the base, or the SFT warm start
   * when the run has one. From RL step T on (ReMix policy reincarnation), the latest version
   * published at or before RL step T: versions are published at step boundaries, so with T a
   * multiple of --steps-per-version this is exactly pi_T.
   */
  static int baseVersion(Lakehouse lakehouse, String runId, LearnerConfig cfg, RlStart rl, long rlStep) {
    if (cfg.algorithm() != LearnerConfig.Algorithm.REMIX || cfg.reincarnationStep() <= 0
        || rlStep < cfg.reincarnationStep()) {
      return rl.version();
    }
    Row row = lakehouse.read(Tables.POLICY_VERSIONS)
        .where(col(RUN_ID).equalTo(runId).and(col(VERSION).geq(rl.version()))
            .and(col(LEARNER_STEP).leq(rl.learnerStep() + cfg.reincarnationStep())))
        .agg(org.apache.spark.sql.functions.max(VERSION)).head();
    return row.isNullAt(0) ? rl.version() : row.getInt(0);
  }

  private static PolicyModel loadVersion(Lakehouse lakehouse, String runId, int version, Configuration conf,
      Device device) {
    return PolicyModel.load(HadoopCheckpoints.source(PolicyVersions.checkpointUri(lakehouse, runId, version), conf),
        device, DataType.FLOAT32);
  }

  /** Fresh (1 - p) and replayed (p) experiences, drawn without replacement by a (seed, step) shuffle. */
  static List<Experience> batch(List<Experience> fresh, List<Experience> replay, double p, int size, long seed, long t) {
    int nReplay = replay.isEmpty() ? 0 : (int) Math.round(p * size);
    int nFresh = size - nReplay;
    List<Experience> out = new ArrayList<>(size);
    out.addAll(draw(fresh, nFresh, new SplittableRandom(PromptSchedule.Seeds.mix(seed, t, "fresh", 0))));
    out.addAll(draw(replay, nReplay, new SplittableRandom(PromptSchedule.Seeds.mix(seed, t, "replay", 0))));
    return out;
  }

  private static List<Experience> draw(List<Experience> pool, int n, SplittableRandom random) {
    List<Experience> copy = new ArrayList<>(pool);
    List<Experience> out = new ArrayList<>(n);
    for (int i = 0; i < n && !copy.isEmpty(); i++) {
      int j = random.nextInt(copy.size());
      out.add(copy.get(j));
      copy.set(j, copy.get(copy.size() - 1));
      copy.remove(copy.size() - 1);
      if (copy.isEmpty() && out.size() < n) {
        copy.addAll(pool); // batch larger than the pool: start another pass
      }
    }
    return out;
  }

  private static List<Experience> read(Lakehouse lakehouse, String runId, int fromVersion, int toVersion) {
    List<Row> rows = lakehouse.read(Tables.EXPERIENCES)
        .where(col(RUN_ID).equalTo(runId).and(col(POLICY_VERSION).between(fromVersion, toVersion))
            .and(col(ADVANTAGE).isNotNull()))
        .select(POLICY_VERSION, PROMPT_TOKEN_IDS, RESPONSE_TOKEN_IDS, BEHAVIOR_LOGPROBS, ADVANTAGE, GROUP_ID, SAMPLE_INDEX)
        .orderBy(POLICY_VERSION, GROUP_ID, SAMPLE_INDEX)
        .collectAsList();
    List<Experience> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      int[] prompt = ints(r.getList(1));
      int[] response = ints(r.getList(2));
      if (response.length == 0) {
        continue;
      }
      List<Float> lp = r.getList(3);
      float[] logprobs = new float[lp.size()];
      for (int i = 0; i < logprobs.length; i++) {
        logprobs[i] = lp.get(i);
      }
      out.add(new Experience(r.getInt(0), TrainingSequence.of(prompt, response, logprobs, (float) r.getDouble(4))));
    }
    return out;
  }

  private static int[] ints(List<Integer> list) {
    int[] a = new int[list.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = list.get(i);
    }
    return a;
  }

  /** The one sampling distribution of version k's experiences (the learner scores with it). */
  private static DistributionParams samplingOf(Lakehouse lakehouse, String runId, int version) {
    List<Row> rows = lakehouse.read(Tables.EXPERIENCES)
        .where(col(RUN_ID).equalTo(runId).and(col(POLICY_VERSION).equalTo(version)))
        .select(col(SAMPLING + "." + Sampling.TEMPERATURE), col(SAMPLING + "." + Sampling.TOP_K),
            col(SAMPLING + "." + Sampling.TOP_P))
        .distinct().collectAsList();
    if (rows.size() != 1 || rows.get(0).isNullAt(0)) {
      throw Errors.invalidOption("--run", runId, "version " + version + " was sampled with "
          + (rows.size() == 1 ? "unknown" : rows.size() + " different") + " sampling parameters; the learner needs one "
          + "distribution per version (rescore with the current score job to record it)");
    }
    Row r = rows.get(0);
    return new DistributionParams(r.getDouble(0), r.getInt(1), r.getDouble(2));
  }

}
