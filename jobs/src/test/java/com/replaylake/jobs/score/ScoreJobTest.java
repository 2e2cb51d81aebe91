package com.replaylake.jobs.score;

import static com.replaylake.schemas.Columns.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.replaylake.jobs.RolloutFixtures;
import com.replaylake.jobs.RunIds;
import com.replaylake.jobs.RolloutFixtures.Sample;
import com.replaylake.jobs.ingest.FieldMapping;
import com.replaylake.jobs.ingest.IngestJob;
import com.replaylake.jobs.ingest.SourceFormat;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.ReplayLakeException;
import com.replaylake.schemas.SparkTestSession;
import com.replaylake.schemas.Tables;
import com.replaylake.udfs.advantage.Estimator;
import com.replaylake.udfs.advantage.GroupAdvantage;
import com.replaylake.udfs.verify.VerifierConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScoreJobTest {

  @TempDir static Path dir;
  private Lakehouse lakehouse;
  private final String p1 = RolloutFixtures.promptId("toy", "a");
  private final String p2 = RolloutFixtures.promptId("toy", "b");
  private final String p3 = RolloutFixtures.promptId("toy", "c");

  @BeforeAll
  void setUp() throws Exception {
    lakehouse = SparkTestSession.lakehouse(dir);
    Path file = dir.resolve("toy.jsonl");
    Files.writeString(file, "{\"id\":\"a\",\"prompt\":\"1+1?\",\"answer\":\"2\"}\n"
        + "{\"id\":\"b\",\"prompt\":\"half?\",\"answer\":\"\\\\frac{1}{2}\"}\n"
        + "{\"id\":\"c\",\"prompt\":\"3*3?\",\"answer\":\"9\"}\n");
    IngestJob.run(lakehouse, new IngestJob.Options("toy", SourceFormat.JSONL, file.toString(), "train",
        new FieldMapping(null, null, "id", null, null)));
    RolloutFixtures.write(lakehouse, "r1", 0, List.of(
        new Sample(p1, 0, "so \\boxed{2}", 5),
        new Sample(p1, 0, "so \\boxed{3}", 5),
        new Sample(p1, 0, "I think the answer is 2.", 6),
        new Sample(p1, 0, "no idea", 64),
        new Sample(p2, 0, "\\boxed{0.5}", 4),
        new Sample(p2, 0, "\\boxed{1/2}", 4),
        new Sample(p3, 1, "\\boxed{8}", 3),
        new Sample(p3, 1, "\\boxed{10}", 3)));
  }

  private ScoreJob.Options options(Estimator estimator, String reward, boolean filter) {
    return new ScoreJob.Options("r1", 0, new GroupAdvantage.Options(estimator, 1e-6, filter, 4),
        RewardSpec.parse(reward), VerifierConfig.defaults(), 0, 0);
  }

  private Map<String, Row> experiencesBySample() {
    Map<String, Row> out = new java.util.HashMap<>();
    for (Row r : lakehouse.read(Tables.EXPERIENCES).where("run_id = 'r1' AND policy_version = 0").collectAsList()) {
      out.put(r.<String>getAs(GROUP_ID) + "/" + r.<Integer>getAs(SAMPLE_INDEX), r);
    }
    return out;
  }

  @Test
  void scoresVerifiesAndComputesGroupAdvantages() {
    ScoreJob.Result result = ScoreJob.run(lakehouse, options(Estimator.GRPO, "math", false), m -> {});
    assertThat(result.samples()).isEqualTo(8);
    assertThat(result.groups()).isEqualTo(3);
    assertThat(result.rowsWritten()).isEqualTo(8);
    assertThat(result.statusCounts()).containsEntry("correct", 4L).containsEntry("incorrect", 3L).containsEntry("no_answer", 1L);
    assertThat(result.passRate()).isEqualTo(0.5);
    assertThat(result.zeroVarianceGroups()).isEqualTo(2); // p2 all correct, p3 all wrong
    assertThat(result.incompleteGroups()).isEqualTo(2); // expected 4: p2 and p3 have 2

    Map<String, Row> rows = experiencesBySample();
    assertThat(rows).hasSize(8);
    Row right = rows.get("0-" + p1 + "/0");
    assertThat(right.<Double>getAs(REWARD)).isEqualTo(1.0);
    assertThat(right.<String>getAs(STATUS)).isEqualTo("correct");
    assertThat(right.<String>getAs(EXTRACTED)).isEqualTo("2");
    assertThat(right.<Integer>getAs(GROUP_SIZE)).isEqualTo(4);
    assertThat(right.<Double>getAs(GROUP_MEAN)).isEqualTo(0.5);
    double std = Math.sqrt(1.0 / 3);
    assertThat(right.<Double>getAs(ADVANTAGE)).isCloseTo(0.5 / (std + 1e-6), within(1e-12));
    assertThat(rows.get("0-" + p1 + "/3").<String>getAs(STATUS)).isEqualTo("no_answer");
    assertThat(rows.get("0-" + p1 + "/3").<Double>getAs(ADVANTAGE)).isCloseTo(-0.5 / (std + 1e-6), within(1e-12));
    assertThat(rows.get("0-" + p2 + "/1").<Double>getAs(ADVANTAGE)).isEqualTo(0.0);
    assertThat(rows.get("0-" + p2 + "/1").<String>getAs(STATUS)).isEqualTo("correct");
    assertThat(rows.get("1-" + p3 + "/0").<String>getAs(ESTIMATOR)).isEqualTo("grpo");
    assertThat(right.<scala.collection.Map<String, Double>>getAs(REWARD_COMPONENTS).get("math").get()).isEqualTo(1.0);
    assertThat(right.<scala.collection.Seq<Integer>>getAs(RESPONSE_TOKEN_IDS).size()).isEqualTo(5);
  }

  @Test
  void rerunReplacesTheVersionWithOneCommitAndNoDuplicates() {
    ScoreJob.run(lakehouse, options(Estimator.GRPO, "math", false), m -> {});
    long before = lakehouse.latestVersion(Tables.EXPERIENCES);
    ScoreJob.Result again = ScoreJob.run(lakehouse, options(Estimator.RLOO, "math+format", false), m -> {});
    assertThat(lakehouse.latestVersion(Tables.EXPERIENCES)).isEqualTo(before + 1);
    assertThat(lakehouse.read(Tables.EXPERIENCES).count()).isEqualTo(8);
    assertThat(lakehouse.read(Tables.EXPERIENCES).select(GROUP_ID, SAMPLE_INDEX).distinct().count()).isEqualTo(8);
    assertThat(lakehouse.read(Tables.EXPERIENCES).where("estimator = 'rloo'").count()).isEqualTo(8);
    assertThat(again.rewardSpec()).isEqualTo("math+format");
    List<Row> metrics = lakehouse.read(Tables.SCORE_METRICS).where("run_id = 'r1' AND policy_version = 0").collectAsList();
    assertThat(metrics).hasSize(1);
    assertThat(metrics.get(0).<String>getAs(ESTIMATOR)).isEqualTo("rloo");
    // format term: one boxed answer earns 1
    Row boxed = experiencesBySample().get("0-" + p1 + "/0");
    assertThat(boxed.<scala.collection.Map<String, Double>>getAs(REWARD_COMPONENTS).get("format").get()).isEqualTo(1.0);
    assertThat(boxed.<Double>getAs(REWARD)).isEqualTo(2.0);
  }

  @Test
  void zeroVarianceFilterDropsAndCounts() {
    ScoreJob.Result r = ScoreJob.run(lakehouse, options(Estimator.GRPO, "math", true), m -> {});
    assertThat(r.zeroVarianceGroups()).isEqualTo(2);
    assertThat(r.zeroVarianceSamplesDropped()).isEqualTo(4);
    assertThat(r.rowsWritten()).isEqualTo(4);
    assertThat(lakehouse.read(Tables.EXPERIENCES).where("run_id = 'r1'").count()).isEqualTo(4);
  }

  @Test
  void overlongPenaltyUsesTheRolloutsMaxNewTokens() {
    ScoreJob.run(lakehouse, options(Estimator.DR_GRPO, "math+overlong", false), m -> {});
    Row longOne = experiencesBySample().get("0-" + p1 + "/3"); // 64 tokens of max 64, buffer 12
    assertThat(longOne.<scala.collection.Map<String, Double>>getAs(REWARD_COMPONENTS).get("overlong").get()).isEqualTo(-1.0);
    Row shortOne = experiencesBySample().get("0-" + p1 + "/0");
    assertThat(shortOne.<scala.collection.Map<String, Double>>getAs(REWARD_COMPONENTS).get("overlong").get()).isEqualTo(0.0);
  }

  @Test
  void missingRolloutsOrPromptsAreClearErrors() {
    ScoreJob.Options none = new ScoreJob.Options("r1", 7, GroupAdvantage.Options.of(Estimator.GRPO),
        RewardSpec.parse("math"), VerifierConfig.defaults(), 0, 0);
    long version = lakehouse.latestVersion(Tables.EXPERIENCES);
    assertThatThrownBy(() -> ScoreJob.run(lakehouse, none, m -> {}))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("no rollouts");
    RolloutFixtures.write(lakehouse, "r2", 0, List.of(new Sample("feedfacefeedface", 0, "\\boxed{1}", 3)));
    ScoreJob.Options orphan = new ScoreJob.Options("r2", 0, GroupAdvantage.Options.of(Estimator.GRPO),
        RewardSpec.parse("math"), VerifierConfig.defaults(), 0, 0);
    assertThatThrownBy(() -> ScoreJob.run(lakehouse, orphan, m -> {}))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("feedfacefeedface");
    assertThat(lakehouse.latestVersion(Tables.EXPERIENCES)).isEqualTo(version);
  }

  @Test
  void rewardSpecsAndRunIdsAreValidated() {
    assertThat(RewardSpec.parse("math+format+overlong").toString()).isEqualTo("math+format+overlong");
    assertThatThrownBy(() -> RewardSpec.parse("format")).hasMessageContaining("'math' is required");
    assertThatThrownBy(() -> RewardSpec.parse("math+style")).hasMessageContaining("unknown term 'style'");
    assertThatThrownBy(() -> RunIds.check("x' OR 1=1")).isInstanceOf(ReplayLakeException.class);
  }
}
