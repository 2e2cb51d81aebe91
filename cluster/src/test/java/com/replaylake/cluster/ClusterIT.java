package com.replaylake.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.replaylake.jobs.cli.ReplayLakeCli;
import com.replaylake.jobs.policy.HadoopCheckpoints;
import com.replaylake.policy.PolicyModel;
import com.replaylake.schemas.SparkTestSession;
import com.replaylake.schemas.Tables;
import com.replaylake.schemas.TableContract;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One full iteration (ingest, register-base, rollout, score, learn, publish, then a rollout of the
 * published version) through {@code org.apache.spark.deploy.SparkSubmit} with the shaded jar, on
 * {@code local-cluster[2,1,2048]}: a master, two workers and two executor JVMs besides the driver.
 * The same iteration runs in-process on {@code local[2]}; the tables are compared.
 *
 * <p>Needs the package phase (the shaded jar of jobs, this module's target/spark-home), so it runs
 * under failsafe in {@code mvn verify}.
 */
class ClusterIT {

  static final String MASTER = "local-cluster[2,1,2048]";
  static final String RUN = "demo";
  /** One iteration of the loop on the synthetic task, no SFT: task, base v0, rollout, score, learn -> v1, evaluate. */
  static final List<String> ONE_ITERATION = List.of("run", "--set", "run.id=" + RUN, "--set", "run.iterations=1",
      "--set", "sft.steps=0", "--set", "task.digits=2", "--set", "task.sft_examples=16", "--set",
      "task.train_prompts=64", "--set", "task.test_prompts=16", "--set", "task.eval_limit=16", "--set",
      "rollout.prompts_per_step=8", "--set", "rollout.samples_per_prompt=4", "--set", "rollout.prompts_per_task=4",
      "--set", "learn.steps_per_version=1", "--set", "learn.batch_size=16");
  static final List<String> ROLLOUT_V1 = List.of("rollout", "--run", RUN, "--version", "1", "--step", "1",
      "--dataset", "arith", "--split", "train", "--prompts-per-step", "8", "-G", "4", "--max-new-tokens", "8",
      "--max-batch", "64", "--prompt-template", "{prompt}", "--seed", "7");

  static Path dir;
  static String clusterUri;
  static String localUri;

  @BeforeAll
  static void runBoth() throws Exception {
    dir = Path.of(System.getProperty("replaylake.it.dir", "target/cluster-it")).toAbsolutePath();
    deleteRecursively(dir);
    Files.createDirectories(dir);
    // executor work dirs of earlier runs (each holds a copy of the shaded jar)
    deleteRecursively(Path.of(System.getProperty("replaylake.spark.home")).resolve("work"));
    clusterUri = dir.resolve("cluster-lakehouse").toUri().toString();
    localUri = dir.resolve("local-lakehouse").toUri().toString();

    long t0 = System.nanoTime();
    // 1) synthetic task, register-base, rollout step 0 (2 tasks), score, learn, publish v1, evaluate: one application
    List<String> iteration = new ArrayList<>(ONE_ITERATION);
    iteration.addAll(List.of("--lakehouse", clusterUri));
    submit("run", iteration);
    long t1 = System.nanoTime();
    // 2) a fresh application samples from the published v1: 8 tasks on 2 executors (loads once per executor)
    List<String> rollout = new ArrayList<>(ROLLOUT_V1);
    rollout.addAll(List.of("--lakehouse", clusterUri, "--prompts-per-task", "1"));
    submit("rollout-v1", rollout);
    long t2 = System.nanoTime();
    // the same on local[2], in this JVM; step 1 with another task split (4 prompts per task)
    SparkTestSession.get();
    List<String> localIteration = new ArrayList<>(ONE_ITERATION);
    localIteration.addAll(List.of("--lakehouse", localUri, "--master", "local[2]"));
    cli(localIteration.toArray(String[]::new));
    List<String> localRollout = new ArrayList<>(ROLLOUT_V1);
    localRollout.addAll(List.of("--lakehouse", localUri, "--master", "local[2]", "--prompts-per-task", "4"));
    cli(localRollout.toArray(String[]::new));
    long t3 = System.nanoTime();
    System.out.printf("ClusterIT: one iteration on %s %.1f s, rollout v1 on %s %.1f s, both on local[2] in-process %.1f s%n",
        MASTER, (t1 - t0) / 1e9, MASTER, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
  }

  @Test
  void rolloutsCameFromBothExecutorJvms() {
    for (int step : new int[] {0, 1}) {
      List<Row> byExecutor = table(clusterUri, Tables.ROLLOUTS).where("step = " + step)
          .groupBy("executor_id").count().collectAsList();
      System.out.println("ClusterIT: step " + step + " rows per executor " + byExecutor);
      Set<String> executors = new TreeSet<>();
      byExecutor.forEach(r -> executors.add(r.getString(0)));
      assertThat(executors).as("executors of step %d", step).hasSize(2).doesNotContainNull().doesNotContain("driver");
    }
    // local mode: every row from the driver JVM
    assertThat(table(localUri, Tables.ROLLOUTS).select("executor_id").distinct().collectAsList())
        .extracting(r -> r.getString(0)).containsExactly("driver");
  }

  @Test
  void eachExecutorLoadedEachVersionAtMostOnce() {
    List<Row> metrics = table(clusterUri, Tables.ROLLOUT_METRICS)
        .select("policy_version", "step", "tasks", "model_loads", "executor_loads").orderBy("step").collectAsList();
    assertThat(metrics).hasSize(2);
    for (Row m : metrics) {
      System.out.println("ClusterIT: rollout_metrics " + m);
      Map<String, Long> loads = m.getJavaMap(4);
      // step 0 may find v0 cached already: the loop evaluated v0 on the same executors first
      assertThat(loads).as("loads per executor, step %d", m.getInt(1)).allSatisfy((executor, n) -> {
        assertThat(executor).isNotEqualTo("driver");
        assertThat(n).isEqualTo(1L);
      });
      assertThat(loads.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(m.getLong(3));
    }
    // step 1: 8 tasks over 2 executors, still at most one load of v1 per executor
    assertThat(metrics.get(1).getInt(2)).isEqualTo(8);
    assertThat(metrics.get(1).getLong(3)).isBetween(1L, 2L);
    assertThat(metrics.get(1).<String, Long>getJavaMap(4)).isNotEmpty();
  }

  @Test
  void tablesMatchTheLocalRun() {
    for (TableContract t : Tables.ALL) {
      assertThat(table(clusterUri, t).count()).as("rows of %s", t.name()).isEqualTo(table(localUri, t).count());
    }
    for (TableContract t : List.of(Tables.ROLLOUTS, Tables.EXPERIENCES)) {
      for (int step : new int[] {0, 1}) {
        if (t == Tables.EXPERIENCES && step == 1) {
          continue; // step 1 is not scored
        }
        assertThat(promptIds(clusterUri, t, step)).as("prompt ids of %s step %d", t.name(), step)
            .isEqualTo(promptIds(localUri, t, step)).hasSize(8);
      }
    }
    assertThat(table(clusterUri, Tables.ROLLOUTS).count()).isEqualTo(64);
    assertThat(table(clusterUri, Tables.POLICY_VERSIONS).where("run_id = 'demo'").count()).isEqualTo(2);
  }

  @Test
  void responsesDoNotDependOnTheLayout() throws IOException {
    StringBuilder report = new StringBuilder();
    for (int step : new int[] {0, 1}) {
      Map<String, Row> local = responses(localUri, step);
      Map<String, Row> cluster = responses(clusterUri, step);
      long identical = 0;
      long identicalLogprobs = 0;
      double maxDiff = 0;
      for (Map.Entry<String, Row> e : local.entrySet()) {
        Row other = cluster.get(e.getKey());
        if (other == null || !e.getValue().getList(0).equals(other.getList(0))) {
          continue;
        }
        identical++;
        List<Float> a = e.getValue().getList(3);
        List<Float> b = other.getList(3);
        identicalLogprobs += a.equals(b) ? 1 : 0;
        for (int t = 0; t < a.size(); t++) {
          maxDiff = Math.max(maxDiff, Math.abs(a.get(t) - b.get(t)));
        }
      }
      double fraction = identical / (double) local.size();
      String line = String.format("step %d (%s): %d/%d identical responses (%.1f%%) between local[2] and %s; "
              + "behavior logprobs bit-identical in %d, max |diff| %.2e%n",
          step, step == 0 ? "2 tasks of 4 prompts in both" : "8 tasks of 1 prompt vs 2 tasks of 4 prompts",
          identical, local.size(), 100 * fraction, MASTER, identicalLogprobs, maxDiff);
      report.append(line);
      System.out.print("ClusterIT: " + line);
    }
    Files.writeString(dir.resolve("determinism.txt"), report.toString());
    for (int step : new int[] {0, 1}) {
      Map<String, Row> local = responses(localUri, step);
      Map<String, Row> cluster = responses(clusterUri, step);
      assertThat(cluster.keySet()).isEqualTo(local.keySet());
      local.forEach((key, row) -> assertThat(cluster.get(key).getList(0)).as("response of %s", key)
          .isEqualTo(row.getList(0)));
    }
  }

  @Test
  void publishedCheckpointIsReadable() throws Exception {
    Row v1 = table(clusterUri, Tables.POLICY_VERSIONS).where("run_id = 'demo' AND version = 1")
        .select("checkpoint_uri").head();
    String uri = v1.getString(0);
    assertThat(uri).startsWith("file:/");
    assertThat(URI.create(uri).isAbsolute()).isTrue();
    assertThat(Path.of(URI.create(uri))).isDirectory().startsWith(dir);
    var conf = SparkTestSession.get().sparkContext().hadoopConfiguration();
    try (PolicyModel model = PolicyModel.load(HadoopCheckpoints.source(uri, conf), Device.cpu(), DataType.FLOAT32)) {
      assertThat(model.config().maxPositionEmbeddings()).isPositive();
    }
    // and the executors of a second application sampled from it
    assertThat(table(clusterUri, Tables.ROLLOUTS).where("policy_version = 1").count()).isEqualTo(32);
  }

  // ---------------------------------------------------------------------------------------------

  static Dataset<Row> table(String lakehouse, TableContract t) {
    return SparkTestSession.get().read().format("delta").load(lakehouse + "/tables/" + t.name());
  }

  static List<String> promptIds(String lakehouse, TableContract t, int step) {
    List<String> ids = new ArrayList<>();
    table(lakehouse, t).where("step = " + step).select("prompt_id").distinct().orderBy("prompt_id").collectAsList()
        .forEach(r -> ids.add(r.getString(0)));
    return ids;
  }

  /** (prompt_id/sample_index) to the row (response_token_ids, ..., behavior_logprobs) of one step. */
  static Map<String, Row> responses(String lakehouse, int step) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : table(lakehouse, Tables.ROLLOUTS).where("step = " + step)
        .select("response_token_ids", "prompt_id", "sample_index", "behavior_logprobs").collectAsList()) {
      out.put(r.getString(1) + "/" + r.getInt(2), r);
    }
    return out;
  }

  static void cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ReplayLakeCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), false);
    assertThat(code).as("replaylake %s (local)%nstdout:%n%s%nstderr:%n%s", String.join(" ", args), out, err)
        .isZero();
  }

  /** Runs ReplayLakeCli through SparkSubmit in a child JVM on {@link #MASTER}; fails with its output. */
  static void submit(String name, List<String> args) throws Exception {
    Path sparkHome = Path.of(System.getProperty("replaylake.spark.home")).toAbsolutePath();
    Path appJar = Path.of(System.getProperty("replaylake.app.jar")).toAbsolutePath().normalize();
    String flags = System.getProperty("replaylake.spark.jvm.flags");
    assertThat(sparkHome.resolve("jars")).as("Spark home (mvn package lays it out)").isDirectory();
    assertThat(appJar).as("shaded jar (mvn package builds it)").isRegularFile();

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    command.addAll(Arrays.asList(flags.trim().split("\\s+")));
    command.addAll(List.of("-cp", sparkHome.resolve("jars") + File.separator + "*",
        "org.apache.spark.deploy.SparkSubmit",
        "--master", MASTER,
        "--class", ReplayLakeCli.class.getName(),
        "--conf", "spark.driver.extraJavaOptions=" + flags,
        "--conf", "spark.executor.extraJavaOptions=" + flags,
        "--conf", "spark.executor.memory=2g",
        "--conf", "spark.executorEnv.OMP_WAIT_POLICY=PASSIVE",
        // start generation only when both executors have registered
        "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
        "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.sql.shuffle.partitions=2",
        "--conf", "spark.default.parallelism=2",
        "--conf", "spark.databricks.delta.snapshotPartitions=2",
        appJar.toString()));
    command.addAll(args);

    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("OMP_WAIT_POLICY", "PASSIVE");
    env.remove("REPLAYLAKE_HOME");
    env.remove("REPLAYLAKE_LAKEHOUSE");
    env.remove("SPARK_CONF_DIR");
    long start = System.nanoTime();
    Process process = pb.start();
    boolean finished = process.waitFor(10, TimeUnit.MINUTES);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    int code = finished ? process.exitValue() : -1;
    System.out.printf("ClusterIT: %s exited %d after %.1f s (log %s)%n", name, code, (System.nanoTime() - start) / 1e9,
        log);
    if (code != 0) {
      throw new AssertionError("SparkSubmit " + name + " failed (exit " + code + "): " + String.join(" ", command)
          + "\n--- output ---\n" + tail(log, 40_000) + executorLogs(sparkHome));
    }
  }

  static String tail(Path file, int chars) throws IOException {
    String s = Files.readString(file, StandardCharsets.UTF_8);
    return s.length() <= chars ? s : "..." + s.substring(s.length() - chars);
  }

  /** The stderr of the executors (local-cluster workers keep them under SPARK_HOME/work). */
  static String executorLogs(Path sparkHome) throws IOException {
    Path work = sparkHome.resolve("work");
    if (!Files.isDirectory(work)) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(work)) {
      List<Path> logs = files.filter(p -> p.getFileName().toString().equals("stderr"))
          .sorted(Comparator.comparing(p -> p.toFile().lastModified())).toList();
      for (Path f : logs.subList(Math.max(0, logs.size() - 2), logs.size())) { // this application's two executors
        sb.append("\n--- ").append(f).append(" ---\n").append(tail(f, 8_000));
      }
    }
    return sb.toString();
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
