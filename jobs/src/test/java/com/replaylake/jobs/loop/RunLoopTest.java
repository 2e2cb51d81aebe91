package com.replaylake.jobs.loop;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.replaylake.jobs.report.ReportJob;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.ReplayLakeException;
import com.replaylake.schemas.SparkTestSession;
import com.replaylake.schemas.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The loop on a reduced demo: order, consistency, report, and a crash in the middle of an iteration. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunLoopTest {
  @TempDir static Path dir;
  private Lakehouse lakehouse;

  /** A few-second version of the demo: small task, few SFT steps, 3 iterations of 8 prompts x 4. */
  static Map<String, String> reduced(String run) {
    Map<String, String> m = new HashMap<>();
    m.put("run.id", run);
    m.put("run.iterations", "3");
    m.put("run.eval_every", "2");
    m.put("task.digits", "2");
    m.put("task.sft_examples", "64");
    m.put("task.train_prompts", "256");
    m.put("task.test_prompts", "32");
    m.put("sft.steps", "4");
    m.put("sft.stop_at_exact_match", "0");
    m.put("sft.batch_size", "16");
    m.put("rollout.prompts_per_step", "8");
    m.put("rollout.samples_per_prompt", "4");
    m.put("rollout.prompts_per_task", "4");
    m.put("learn.steps_per_version", "1");
    m.put("learn.batch_size", "16");
    return m;
  }

  private RunConfig cfg;
  private final List<RunLoop.Iteration> lines = new ArrayList<>();
  private RunLoop.Result r;

  /** The uninterrupted reduced run both tests look at. */
  @BeforeAll
  void setUp() {
    lakehouse = SparkTestSession.lakehouse(dir);
    cfg = RunConfig.defaults().with(reduced("loop"));
    r = RunLoop.run(lakehouse, cfg, m -> {}, lines::add);
  }

  @Test
  void reducedDemoPublishesInOrderWithConsistentTablesAndAReport() throws Exception {
    assertThat(r.startVersion()).isEqualTo(1);
    assertThat(r.finalVersion()).isEqualTo(4);
    assertThat(lines).extracting(RunLoop.Iteration::toVersion).containsExactly(2, 3, 4);
    assertThat(lines.get(1).passAt1()).isNotNull(); // eval_every 2
    assertThat(lines.get(2).passAt1()).isNotNull(); // the last

    List<Row> versions = lakehouse.read(Tables.POLICY_VERSIONS).where(col(RUN_ID).equalTo("loop"))
        .orderBy(VERSION).select(VERSION, PARENT_VERSION, KIND, LEARNER_STEP).collectAsList();
    assertThat(versions).extracting(v -> v.getInt(0)).containsExactly(0, 1, 2, 3, 4);
    assertThat(versions).extracting(v -> v.getString(2)).containsExactly("base", "sft", "rl", "rl", "rl");
    for (int i = 1; i < versions.size(); i++) {
      assertThat(versions.get(i).getInt(1)).isEqualTo(i - 1);
      assertThat(versions.get(i).getInt(3)).isGreaterThan(versions.get(i - 1).getInt(3));
    }
    // every experience has its rollout; every rollout's version exists
    assertThat(lakehouse.read(Tables.EXPERIENCES).where(col(RUN_ID).equalTo("loop"))
        .join(lakehouse.read(Tables.ROLLOUTS), scalaSeq(RUN_ID, POLICY_VERSION, STEP, PROMPT_ID, SAMPLE_INDEX),
            "left_anti").count()).isZero();
    assertThat(lakehouse.read(Tables.ROLLOUTS).where(col(RUN_ID).equalTo("loop"))
        .join(lakehouse.read(Tables.POLICY_VERSIONS).withColumnRenamed(VERSION, POLICY_VERSION),
            scalaSeq(RUN_ID, POLICY_VERSION), "left_anti").count()).isZero();
    assertThat(lakehouse.read(Tables.ROLLOUTS).where(col(RUN_ID).equalTo("loop")).count()).isEqualTo(3 * 8 * 4);
    // versions 1..3 were rolled out at steps 0..2
    assertThat(lakehouse.read(Tables.ROLLOUT_METRICS).where(col(RUN_ID).equalTo("loop")).orderBy(STEP)
        .select(POLICY_VERSION, STEP).collectAsList()).extracting(x -> x.getInt(0) + "@" + x.getInt(1))
        .containsExactly("1@0", "2@1", "3@2");

    ReportJob.Result report = ReportJob.run(lakehouse, "loop", null, List.of());
    Path out = Path.of(report.location());
    assertThat(out.resolve("index.html")).exists();
    assertThat(Files.readString(out.resolve("summary.txt"))).contains("held-out pass@1").contains("sft");
    assertThat(report.plots()).contains("pass_at_1.png", "reward.png", "kl.png", "entropy.png",
        "response_length.png", "clip_fraction.png", "fresh_vs_replayed.png", "sft_loss.png");
    for (String p : report.plots()) {
      byte[] png = Files.readAllBytes(out.resolve(p));
      assertThat(png.length).as(p).isGreaterThan(1000);
      assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }
    assertThat(Files.readString(out.resolve("index.html"))).contains("<img src=\"pass_at_1.png\"");

    // rerunning a finished run does nothing
    List<RunLoop.Iteration> again = new ArrayList<>();
    RunLoop.Result r2 = RunLoop.run(lakehouse, cfg, m -> {}, again::add);
    assertThat(again).isEmpty();
    assertThat(r2.finalVersion()).isEqualTo(4);
  }

  @Test
  void crashInTheMiddleOfAnIterationThenRunAgainReachesTheSameState() {
    RunConfig crashing = RunConfig.defaults().with(reduced("crashed"));
    assertThatThrownBy(() -> RunLoop.run(lakehouse, crashing, m -> {}, it -> {}, (point, version) -> {
      if (point.equals("score") && version == 2) {
        throw new IllegalStateException("killed after scoring version 2");
      }
    })).hasMessageContaining("killed");
    // a second crash between learn's publish and the next rollout
    assertThatThrownBy(() -> RunLoop.run(lakehouse, crashing, m -> {}, it -> {}, (point, version) -> {
      if (point.equals("learn") && version == 3) {
        throw new IllegalStateException("killed after publishing version 3");
      }
    })).hasMessageContaining("killed");
    RunLoop.Result resumed = RunLoop.run(lakehouse, crashing, m -> {}, it -> {});
    assertThat(resumed.finalVersion()).isEqualTo(4);

    for (var table : List.of(Tables.ROLLOUTS, Tables.EXPERIENCES)) {
      assertThat(promptsByStep(table, "crashed")).as(table.name()).isEqualTo(promptsByStep(table, "loop"));
      long rows = lakehouse.read(table).where(col(RUN_ID).equalTo("crashed")).count();
      long distinct = lakehouse.read(table).where(col(RUN_ID).equalTo("crashed"))
          .select(POLICY_VERSION, STEP, PROMPT_ID, SAMPLE_INDEX).distinct().count();
      assertThat(rows).as(table.name() + " duplicates").isEqualTo(distinct).isEqualTo(3 * 8 * 4);
    }
    for (var table : List.of(Tables.POLICY_VERSIONS, Tables.LEARNER_METRICS, Tables.SCORE_METRICS,
        Tables.ROLLOUT_METRICS, Tables.EVALUATIONS)) {
      assertThat(lakehouse.read(table).where(col(RUN_ID).equalTo("crashed")).count()).as(table.name())
          .isEqualTo(lakehouse.read(table).where(col(RUN_ID).equalTo("loop")).count());
    }
  }

  @Test
  void compareRunsBothAlgorithmsFromOneStartOnTheSameBudget() throws Exception {
    Map<String, String> m = reduced("ignored");
    m.remove("run.id");
    m.put("run.iterations", "2");
    CompareJob.Result r = CompareJob.run(lakehouse, RunConfig.defaults().with(m), "cmp", 0.0, s -> {}, it -> {});
    assertThat(r.arms()).extracting(CompareJob.Arm::algorithm).containsExactly("grpo", "remix");
    for (CompareJob.Arm arm : r.arms()) {
      assertThat(arm.freshRollouts()).as(arm.algorithm()).isEqualTo(2 * 8 * 4);
      assertThat(arm.startPassAt1()).isEqualTo(r.arms().get(0).startPassAt1());
      assertThat(arm.finalPassAt1()).isNotNull();
      assertThat(arm.rolloutsToTarget()).as("target 0 is reached at the start").isZero();
      assertThat(lakehouse.read(Tables.POLICY_VERSIONS).where(col(RUN_ID).equalTo(arm.runId())).count()).isEqualTo(3);
    }
    // both arms start from the shared SFT checkpoint and sample the same prompts per step
    assertThat(promptsByStep(Tables.ROLLOUTS, "cmp-grpo")).isEqualTo(promptsByStep(Tables.ROLLOUTS, "cmp-remix"));
    List<String> learned = lakehouse.read(Tables.POLICY_VERSIONS).where(col(RUN_ID).equalTo("cmp-remix"))
        .select(CONFIG).collectAsList().stream().map(x -> String.valueOf(x.<String, String>getJavaMap(0).get("algorithm"))).toList();
    assertThat(learned.stream().filter(a -> a.equals("remix")).count()).isEqualTo(2);
    Path dir = Path.of(r.reportDir());
    assertThat(Files.readString(dir.resolve("compare.txt"))).contains("grpo").contains("remix");
    assertThat(dir.resolve("pass_at_1_vs_rollouts.png")).exists();
  }

  @Test
  void badConfigNamesTheKey() {
    assertThatThrownBy(() -> RunConfig.defaults().with(Map.of("rollout.prompts_per_step", "zero")))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("rollout.prompts_per_step");
    assertThatThrownBy(() -> RunConfig.load(null, Map.of("rollout.prompt_per_step", "8")))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("rollout.prompt_per_step")
        .hasMessageContaining("unknown key");
    assertThatThrownBy(() -> RunConfig.load(null, Map.of("learner.lrate", "1")))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("learner.lrate");
    assertThat(RunConfig.template()).contains("run.iterations=30").contains("learner.algorithm=remix");
  }

  private Map<String, List<String>> promptsByStep(com.replaylake.schemas.TableContract table, String run) {
    Map<String, List<String>> out = new TreeMap<>();
    for (Row r : lakehouse.read(table).where(col(RUN_ID).equalTo(run)).select(POLICY_VERSION, STEP, PROMPT_ID)
        .distinct().orderBy(POLICY_VERSION, STEP, PROMPT_ID).collectAsList()) {
      out.computeIfAbsent(r.getInt(0) + "@" + r.getInt(1), k -> new ArrayList<>()).add(r.getString(2));
    }
    return out;
  }

  private static scala.collection.immutable.Seq<String> scalaSeq(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(names)).toSeq();
  }
}
