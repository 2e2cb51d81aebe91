package com.replaylake.jobs.rollout;

import static com.replaylake.schemas.Columns.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.replaylake.jobs.ingest.FieldMapping;
import com.replaylake.jobs.ingest.IngestJob;
import com.replaylake.jobs.ingest.SourceFormat;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.ReplayLakeException;
import com.replaylake.schemas.SparkTestSession;
import com.replaylake.schemas.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolloutJobTest {

  @TempDir static Path dir;
  private Lakehouse lakehouse;

  @BeforeAll
  void setUp() throws Exception {
    lakehouse = SparkTestSession.lakehouse(dir);
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      jsonl.append("{\"id\":\"q").append(i).append("\",\"prompt\":\"").append(i).append("+").append(i)
          .append("=\",\"answer\":\"").append(2 * i).append("\"}\n");
    }
    Path file = dir.resolve("add.jsonl");
    Files.writeString(file, jsonl);
    IngestJob.run(lakehouse, new IngestJob.Options("add", SourceFormat.JSONL, file.toString(), "train",
        new FieldMapping(null, null, "id", null, null)));
    PolicyVersions.registerBase(lakehouse, "r", null, 3);
  }

  private RolloutJob.Options options(int step) {
    return new RolloutJob.Options("r", 0, step, "add", "train", 5, 3, 1.0, 1.0, 0, 8, 11, 2, 64, "{prompt}", 0);
  }

  private List<Row> step(int step) {
    return lakehouse.read(Tables.ROLLOUTS).where("run_id = 'r' AND step = " + step)
        .orderBy(GROUP_ID, SAMPLE_INDEX).collectAsList();
  }

  @Test
  void generatesPromptsTimesGWithAlignedTokensAndLogprobs() {
    RolloutJob.Result r = RolloutJob.run(lakehouse, options(0), m -> {});
    assertThat(r.samples()).isEqualTo(15);
    assertThat(r.prompts()).isEqualTo(5);
    assertThat(r.tasks()).isEqualTo(3);
    assertThat(r.generationSeconds()).isPositive();
    assertThat(r.finishReasons().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(15);
    List<Row> rows = step(0);
    assertThat(rows).hasSize(15);
    assertThat(rows.stream().map(x -> x.<String>getAs(PROMPT_ID)).distinct().count()).isEqualTo(5);
    for (Row row : rows) {
      int tokens = row.<scala.collection.Seq<Integer>>getAs(RESPONSE_TOKEN_IDS).size();
      assertThat(row.<scala.collection.Seq<Float>>getAs(BEHAVIOR_LOGPROBS).size()).isEqualTo(tokens);
      assertThat(tokens).isBetween(1, 8);
      assertThat(row.<String>getAs(FINISH_REASON)).isIn("stop", "length");
      if (row.<String>getAs(FINISH_REASON).equals("length")) {
        assertThat(tokens).isEqualTo(8);
      }
      for (Float lp : scala.jdk.javaapi.CollectionConverters.asJava(row.<scala.collection.Seq<Float>>getAs(BEHAVIOR_LOGPROBS))) {
        assertThat(lp).isLessThanOrEqualTo(0f).isGreaterThan(Float.NEGATIVE_INFINITY);
      }
      assertThat(row.<String>getAs(GROUP_ID)).isEqualTo("0-" + row.<String>getAs(PROMPT_ID));
      // the tiny policy ships a ChatML template: the prompt is rendered with it, assistant turn open
      assertThat(row.<String>getAs(PROMPT_TEXT)).containsPattern("user\\n[0-9]+\\+[0-9]+=").endsWith("<|im_start|>assistant\n");
    }
    assertThat(lakehouse.read(Tables.ROLLOUT_METRICS).where("run_id = 'r' AND step = 0 AND generation_seconds > 0").count())
        .isEqualTo(1);
  }

  @Test
  void rerunningAStepReplacesItWithIdenticalSamples() {
    RolloutJob.run(lakehouse, options(1), m -> {});
    List<Row> first = step(1);
    long version = lakehouse.latestVersion(Tables.ROLLOUTS);
    RolloutJob.run(lakehouse, options(1), m -> {});
    List<Row> second = step(1);
    assertThat(second).hasSize(15);
    assertThat(lakehouse.latestVersion(Tables.ROLLOUTS)).isEqualTo(version + 1);
    for (int i = 0; i < first.size(); i++) {
      for (String column : List.of(PROMPT_ID, SAMPLE_INDEX, RESPONSE_TOKEN_IDS, BEHAVIOR_LOGPROBS, RESPONSE_TEXT, SAMPLING)) {
        assertThat((Object) second.get(i).getAs(column)).as(column).isEqualTo(first.get(i).getAs(column));
      }
    }
    assertThat(lakehouse.read(Tables.ROLLOUTS).where("run_id = 'r' AND step = 1")
        .select(GROUP_ID, SAMPLE_INDEX).distinct().count()).isEqualTo(15);
  }

  @Test
  void stepsFollowTheScheduleAndSamplesOfAGroupDiffer() {
    RolloutJob.run(lakehouse, options(2), m -> {});
    List<String> expected = new PromptSchedule(
        lakehouse.read(Tables.PROMPTS).select(PROMPT_ID).collectAsList().stream().map(x -> x.getString(0)).toList(), 11)
        .promptsForStep(2, 5);
    assertThat(step(2).stream().map(x -> x.<String>getAs(PROMPT_ID)).distinct().sorted().toList())
        .isEqualTo(expected.stream().sorted().toList());
    List<Long> seeds = step(2).stream().map(x -> x.<Row>getAs(SAMPLING).getLong(4)).distinct().toList();
    assertThat(seeds).hasSize(15);
  }

  /**
   * The same step with other task splits and batch sizes (one prompt per task, one sequence per
   * batch: no padding; five prompts in one task in batches of 4 that mix prompts of different
   * lengths): the same responses. Logprobs may differ in the last float bits (padding changes the
   * matmul shapes), so they are compared with a tolerance and the maximal difference is printed.
   */
  @Test
  void responsesDoNotDependOnTasksOrBatches() {
    RolloutJob.Options base = options(3);
    RolloutJob.run(lakehouse, base, m -> {});
    List<Row> reference = step(3);
    assertThat(reference).extracting(r -> r.<String>getAs(EXECUTOR_ID)).containsOnly("driver");
    int[][] layouts = {{1, 1}, {5, 4}, {5, 64}, {3, 7}};
    for (int[] layout : layouts) {
      RolloutJob.run(lakehouse, new RolloutJob.Options("r", 0, 3, "add", "train", 5, 3, 1.0, 1.0, 0, 8, 11,
          layout[0], layout[1], "{prompt}", 0), m -> {});
      List<Row> other = step(3);
      assertThat(other).hasSameSizeAs(reference);
      double maxDiff = 0;
      int identicalLogprobs = 0;
      for (int i = 0; i < reference.size(); i++) {
        assertThat((Object) other.get(i).getAs(RESPONSE_TOKEN_IDS)).as("%s prompts per task, batch %s, row %s",
            layout[0], layout[1], i).isEqualTo(reference.get(i).getAs(RESPONSE_TOKEN_IDS));
        List<Float> a = scala.jdk.javaapi.CollectionConverters.asJava(reference.get(i).<scala.collection.Seq<Float>>getAs(BEHAVIOR_LOGPROBS));
        List<Float> b = scala.jdk.javaapi.CollectionConverters.asJava(other.get(i).<scala.collection.Seq<Float>>getAs(BEHAVIOR_LOGPROBS));
        identicalLogprobs += a.equals(b) ? 1 : 0;
        for (int t = 0; t < a.size(); t++) {
          maxDiff = Math.max(maxDiff, Math.abs(a.get(t) - b.get(t)));
        }
      }
      System.out.printf("layout %d prompts/task, max batch %d: responses identical, logprobs identical in %d/%d rows, "
          + "max |diff| %.2e%n", layout[0], layout[1], identicalLogprobs, reference.size(), maxDiff);
      assertThat(maxDiff).isLessThan(1e-4);
    }
  }

  @Test
  void missingVersionOrCorruptCheckpointIsNamed() throws Exception {
    RolloutJob.Options noVersion = new RolloutJob.Options("r", 9, 0, "add", "train", 5, 3, 1.0, 1.0, 0, 8, 11, 2, 64,
        "{prompt}", 0);
    assertThatThrownBy(() -> RolloutJob.run(lakehouse, noVersion, m -> {}))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("no such policy version");

    PolicyVersions.registerBase(lakehouse, "broken", null, 1);
    Path weights = Path.of(java.net.URI.create(lakehouse.checkpointUri("broken", 0) + "/model.safetensors"));
    Files.write(weights, new byte[] {1, 2, 3});
    RolloutJob.Options broken = new RolloutJob.Options("broken", 0, 0, "add", "train", 2, 1, 1.0, 1.0, 0, 4, 1, 2, 64,
        "{prompt}", 0);
    long before = lakehouse.latestVersion(Tables.ROLLOUTS);
    assertThatThrownBy(() -> RolloutJob.run(lakehouse, broken, m -> {}))
        .hasStackTraceContaining("model.safetensors");
    assertThat(lakehouse.latestVersion(Tables.ROLLOUTS)).isEqualTo(before);
  }

  @Test
  void promptsTooLongForThePolicyAreNamed() {
    RolloutJob.Options tooLong = new RolloutJob.Options("r", 0, 5, "add", "train", 2, 1, 1.0, 1.0, 0, 600, 11, 2, 64,
        "{prompt}", 0);
    long before = lakehouse.latestVersion(Tables.ROLLOUTS);
    assertThatThrownBy(() -> RolloutJob.run(lakehouse, tooLong, m -> {}))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining("Cannot run rollout r v0 step 5")
        .hasMessageContaining("--max-new-tokens 600")
        .hasMessageContaining("max_position_embeddings 512");
    assertThat(lakehouse.latestVersion(Tables.ROLLOUTS)).isEqualTo(before);
  }

  @Test
  void optionsAreValidated() {
    assertThatThrownBy(() -> new RolloutJob.Options("r", 0, 0, "add", "train", 5, 0, 1.0, 1.0, 0, 8, 11, 2, 64, "{prompt}", 0))
        .hasMessageContaining("--samples-per-prompt");
    assertThatThrownBy(() -> new RolloutJob.Options("r", 0, 0, "add", "train", 5, 1, 1.0, 1.0, 0, 8, 11, 2, 64, "no slot", 0))
        .hasMessageContaining("{prompt}");
    RolloutJob.Options tooMany = new RolloutJob.Options("r", 0, 0, "add", "train", 99, 1, 1.0, 1.0, 0, 8, 11, 2, 64,
        "{prompt}", 0);
    assertThatThrownBy(() -> RolloutJob.run(lakehouse, tooMany, m -> {})).hasMessageContaining("exceeds the 12 prompts");
  }
}
