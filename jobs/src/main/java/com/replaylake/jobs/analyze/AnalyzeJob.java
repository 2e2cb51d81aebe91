package com.replaylake.jobs.analyze;

import static com.replaylake.schemas.Columns.*;

import com.replaylake.jobs.RunIds;
import com.replaylake.jobs.analyze.CheckpointTensors.TensorSlice;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.policy.dynamics.DynamicsStats;
import com.replaylake.policy.dynamics.ParameterDynamics;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Parameter-level dynamics between two versions of a run (ALGORITHMS.md section 5, "The Path Not
 * Taken"): for every 2-D weight matrix present in both checkpoints, bf16 update sparsity, spectral
 * drift, principal angles of the top-k singular subspaces, overlap of the changed entries with
 * M_princ and M_low, and with a second run the Jaccard of the two change masks. One Spark task per
 * tensor, which reads only that tensor's byte ranges through Hadoop FS; per-tensor rows plus
 * pooled per-layer and whole-model rows replace the earlier rows of the same (run, from, to,
 * compare) in {@code param_dynamics}. See docs/dynamics.md.
 */
public final class AnalyzeJob {
  private AnalyzeJob() {}

  /** Default k of the top-k singular subspaces. */
  public static final int K_DEFAULT = 64;
  /** Default mask fraction α of M_princ and M_low. */
  public static final double ALPHA_DEFAULT = 0.5;

  private static final Pattern LAYER = Pattern.compile("(?:^|\\.)layers\\.(\\d+)\\.");

  /**
   * @param compareRunId second run (its change mask is taken against this run's {@code fromVersion}), or null
   * @param compareToVersion version of the second run, null exactly when {@code compareRunId} is
   * @param tensorPattern regular expression a tensor name must match (find semantics), e.g. to leave out a huge embedding
   */
  public record Options(String runId, int fromVersion, int toVersion, String compareRunId, Integer compareToVersion,
      int k, double alpha, String tensorPattern) {
    public Options {
      RunIds.check(runId);
      if (fromVersion < 0 || toVersion < 0) {
        throw Errors.invalidOption("--from/--to", fromVersion + "/" + toVersion, "versions are non-negative");
      }
      if ((compareRunId == null) != (compareToVersion == null)) {
        throw Errors.invalidOption("--compare-run/--compare-to", compareRunId + "/" + compareToVersion,
            "give both or neither");
      }
      if (compareRunId != null) {
        RunIds.check(compareRunId);
      }
      if (k < 1) {
        throw Errors.invalidOption("--k", String.valueOf(k), "must be at least 1");
      }
      if (!(alpha > 0 && alpha < 1)) {
        throw Errors.invalidOption("--alpha", String.valueOf(alpha), "must be strictly between 0 and 1");
      }
      if (tensorPattern == null) {
        tensorPattern = ".*";
      }
      try {
        Pattern.compile(tensorPattern);
      } catch (PatternSyntaxException e) {
        throw Errors.invalidOption("--tensors", tensorPattern, "not a regular expression: " + e.getDescription());
      }
    }

    public Options(String runId, int fromVersion, int toVersion) {
      this(runId, fromVersion, toVersion, null, null, K_DEFAULT, ALPHA_DEFAULT, ".*");
    }
  }

  /** What was analyzed; {@code model} is the whole-model pooled statistics. */
  public record Result(String runId, int fromVersion, int toVersion, int tensors, int layers, List<String> skipped,
      DynamicsStats model, long rowsWritten, double taskSeconds, double seconds) {}

  /** One tensor's work: its slice in W0, W1 and optionally W1'. */
  record TensorTask(String name, TensorSlice base, TensorSlice tuned, TensorSlice compare) implements Serializable {}

  /** One tensor's answer. */
  record TensorResult(String name, long[] shape, DynamicsStats stats, double seconds) implements Serializable {}

  public static Result run(Lakehouse lakehouse, Options o, Consumer<String> progress) {
    long start = System.nanoTime();
    Configuration conf = lakehouse.spark().sparkContext().hadoopConfiguration();
    String uri0 = PolicyVersions.checkpointUri(lakehouse, o.runId(), o.fromVersion());
    String uri1 = PolicyVersions.checkpointUri(lakehouse, o.runId(), o.toVersion());
    Map<String, TensorSlice> base = CheckpointTensors.list(uri0, conf);
    Map<String, TensorSlice> tuned = CheckpointTensors.list(uri1, conf);
    Map<String, TensorSlice> other = o.compareRunId() == null ? Map.of()
        : CheckpointTensors.list(PolicyVersions.checkpointUri(lakehouse, o.compareRunId(), o.compareToVersion()), conf);
    Pattern pattern = Pattern.compile(o.tensorPattern());
    List<TensorTask> tasks = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (TensorSlice b : base.values()) {
      if (b.shape().length != 2 || !pattern.matcher(b.name()).find()) {
        continue;
      }
      TensorSlice t = tuned.get(b.name());
      TensorSlice c = o.compareRunId() == null ? null : other.get(b.name());
      if (t == null || !Arrays.equals(t.shape(), b.shape())) {
        skipped.add(b.name() + (t == null ? " (not in v" + o.toVersion() + ")" : " (shape " + Arrays.toString(t.shape())
            + " in v" + o.toVersion() + " vs " + Arrays.toString(b.shape()) + ")"));
        continue;
      }
      if (o.compareRunId() != null && (c == null || !Arrays.equals(c.shape(), b.shape()))) {
        skipped.add(b.name() + " (not comparable in " + o.compareRunId() + " v" + o.compareToVersion() + ")");
        continue;
      }
      tasks.add(new TensorTask(b.name(), b, t, c));
    }
    if (tasks.isEmpty()) {
      throw Errors.invalidOption("--run/--from/--to", o.runId() + "/" + o.fromVersion() + "/" + o.toVersion(),
          "no 2-D weight matrix matching --tensors '" + o.tensorPattern() + "' is present with the same shape in both"
              + " checkpoints (" + uri0 + ", " + uri1 + ")");
    }
    tasks.sort(Comparator.comparingLong((TensorTask t) -> -t.base().numel()).thenComparing(TensorTask::name));
    progress.accept("comparing " + tasks.size() + " weight matrices of " + o.runId() + " v" + o.fromVersion() + " -> v"
        + o.toVersion() + (o.compareRunId() == null ? "" : " against " + o.compareRunId() + " v" + o.compareToVersion())
        + " (k=" + o.k() + ", alpha=" + o.alpha() + ", one task per tensor, largest first)"
        + (skipped.isEmpty() ? "" : "; skipped " + skipped.size() + ": " + skipped));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(lakehouse.spark().sparkContext());
    List<TensorResult> results;
    try {
      results = jsc.parallelize(tasks, tasks.size())
          .map(new CompareTensor(new SerializableConfiguration(conf), new ParameterDynamics.Settings(o.k(), o.alpha())))
          .collect();
    } catch (Exception e) { // SparkException is checked in Java's eyes but thrown unchecked
      throw Errors.jobFailed("analyze " + o.runId() + " v" + o.fromVersion() + " -> v" + o.toVersion(), e);
    }
    List<Row> rows = new ArrayList<>();
    Timestamp now = Timestamp.from(Instant.now());
    TreeMap<Integer, DynamicsStats> layers = new TreeMap<>();
    DynamicsStats model = DynamicsStats.empty();
    double taskSeconds = 0;
    for (TensorResult r : results.stream().sorted(Comparator.comparing(TensorResult::name)).toList()) {
      Integer layer = layerOf(r.name()).orElse(null);
      rows.add(row(o, "tensor", r.name(), layer, r.shape(), r.stats(), now));
      if (layer != null) {
        layers.merge(layer, r.stats(), DynamicsStats::merge);
      }
      model = model.merge(r.stats());
      taskSeconds += r.seconds();
    }
    for (Map.Entry<Integer, DynamicsStats> e : layers.entrySet()) {
      rows.add(row(o, "layer", "model.layers." + e.getKey(), e.getKey(), null, e.getValue(), now));
    }
    rows.add(row(o, "model", "model", null, null, model, now));
    lakehouse.replace(Tables.PARAM_DYNAMICS, rows, where(o), "replaylake analyze " + o.runId() + " v" + o.fromVersion()
        + " -> v" + o.toVersion() + (o.compareRunId() == null ? "" : " vs " + o.compareRunId() + " v" + o.compareToVersion()));
    return new Result(o.runId(), o.fromVersion(), o.toVersion(), results.size(), layers.size(), List.copyOf(skipped),
        model, rows.size(), taskSeconds, (System.nanoTime() - start) / 1e9);
  }

  /** The rows one analysis owns: same run, versions and comparison (so a rerun replaces them atomically). */
  static String where(Options o) {
    return RUN_ID + " = '" + o.runId() + "' AND " + FROM_VERSION + " = " + o.fromVersion() + " AND " + TO_VERSION
        + " = " + o.toVersion() + " AND " + (o.compareRunId() == null
            ? COMPARE_RUN_ID + " IS NULL AND " + COMPARE_TO_VERSION + " IS NULL"
            : COMPARE_RUN_ID + " = '" + o.compareRunId() + "' AND " + COMPARE_TO_VERSION + " = " + o.compareToVersion());
  }

  /** Decoder layer index of an HF parameter name ({@code model.layers.N.}), if any. */
  public static Optional<Integer> layerOf(String tensor) {
    Matcher m = LAYER.matcher(tensor);
    return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }

  private static Row row(Options o, String scope, String tensor, Integer layer, long[] shape, DynamicsStats s,
      Timestamp now) {
    boolean compare = o.compareRunId() != null;
    boolean spectral = s.spectralTensors() > 0;
    return RowFactory.create(o.runId(), o.fromVersion(), o.toVersion(), o.compareRunId(), o.compareToVersion(), scope,
        tensor, layer, shape == null ? null : Arrays.stream(shape).boxed().toList(), s.numel(),
        orNull(s.updateSparsity()), orNull(s.spectralDrift()), spectral ? s.k() : null,
        orNull(s.leftAngleMaxOrNaN()), orNull(s.leftAngleMean()), orNull(s.rightAngleMaxOrNaN()),
        orNull(s.rightAngleMean()), o.alpha(), orNull(s.principalOverlapRatio()), orNull(s.lowOverlapRatio()),
        o.alpha(), compare ? orNull(s.jaccard()) : null, compare ? orNull(s.jaccardBaseline()) : null, now);
  }

  private static Double orNull(double x) {
    return Double.isNaN(x) ? null : x;
  }

  /** The executor side: read the tensor's byte ranges, compare, return the additive statistics. */
  static final class CompareTensor implements Function<TensorTask, TensorResult> {
    private final SerializableConfiguration conf;
    private final ParameterDynamics.Settings settings;

    CompareTensor(SerializableConfiguration conf, ParameterDynamics.Settings settings) {
      this.conf = conf;
      this.settings = settings;
    }

    @Override
    public TensorResult call(TensorTask task) throws Exception {
      long t0 = System.nanoTime();
      long[] shape = task.base().shape();
      int rows = (int) shape[0];
      int cols = (int) shape[1];
      Configuration c = conf.value();
      try {
        float[] w0 = CheckpointTensors.read(task.base(), c);
        float[] w1 = CheckpointTensors.read(task.tuned(), c);
        float[] w2 = task.compare() == null ? null : CheckpointTensors.read(task.compare(), c);
        DynamicsStats stats = ParameterDynamics.compare(w0, w1, w2, rows, cols, settings);
        return new TensorResult(task.name(), shape, stats, (System.nanoTime() - t0) / 1e9);
      } catch (RuntimeException | java.io.IOException e) {
        throw Errors.jobFailed("analyze tensor " + task.base().describe(), e);
      }
    }
  }
}
