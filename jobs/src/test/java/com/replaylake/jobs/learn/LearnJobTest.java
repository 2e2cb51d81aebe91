package com.replaylake.jobs.learn;

import static com.replaylake.schemas.Columns.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.replaylake.jobs.RolloutFixtures;
import com.replaylake.jobs.RolloutFixtures.Sample;
import com.replaylake.jobs.ingest.FieldMapping;
import com.replaylake.jobs.ingest.IngestJob;
import com.replaylake.jobs.ingest.SourceFormat;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.jobs.score.RewardSpec;
import com.replaylake.jobs.score.ScoreJob;
import com.replaylake.policy.PolicyModel;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.ReplayLakeException;
import com.replaylake.schemas.SparkTestSession;
import com.replaylake.schemas.Tables;
import com.replaylake.udfs.advantage.Estimator;
import com.replaylake.udfs.advantage.GroupAdvantage;
import com.replaylake.udfs.verify.VerifierConfig;
import java.net.URI;
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
class LearnJobTest {

  @TempDir static Path dir;
  private Lakehouse lakehouse;

  @BeforeAll
  void setUp() throws Exception {
    lakehouse = SparkTestSession.lakehouse(dir);
    Path file = dir.resolve("toy.jsonl");
    Files.writeString(file, "{\"id\":\"a\",\"prompt\":\"1+1?\",\"answer\":\"2\"}\n{\"id\":\"b\",\"prompt\":\"2+2?\",\"answer\":\"4\"}\n");
    IngestJob.run(lakehouse, new IngestJob.Options("toy", SourceFormat.JSONL, file.toString(), "train",
        new FieldMapping(null, null, "id", null, null)));
  }

  private void experiences(String run, int version) {
    String a = RolloutFixtures.promptId("toy", "a");
    String b = RolloutFixtures.promptId("toy", "b");
    RolloutFixtures.write(lakehouse, run, version, List.of(
        new Sample(a, version, "\\boxed{2}", 6), new Sample(a, version, "\\boxed{3}", 6),
        new Sample(a, version, "\\boxed{2}", 5), new Sample(a, version, "no", 4),
        new Sample(b, version, "\\boxed{4}", 6), new Sample(b, version, "\\boxed{5}", 6)));
    ScoreJob.run(lakehouse, new ScoreJob.Options(run, version, GroupAdvantage.Options.of(Estimator.GRPO),
        RewardSpec.parse("math"), VerifierConfig.defaults(), 0, 0), m -> {});
  }

  private LearnJob.Options options(String run, String algorithm) {
    return new LearnJob.Options(run, 2, 4, 7, Map.of("algorithm", algorithm, "lr", "1e-3", "kl_beta", "0.01",
        "warmup_steps", "0"));
  }

  @Test
  void publishesTheNextVersionWithMetricsAndALoadableCheckpoint() throws Exception {
    PolicyVersions.registerBase(lakehouse, "g", null, 1);
    experiences("g", 0);
    LearnJob.Result r = LearnJob.run(lakehouse, options("g", "grpo"), m -> {});
    assertThat(r.fromVersion()).isZero();
    assertThat(r.toVersion()).isEqualTo(1);
    assertThat(r.firstStep()).isZero();
    assertThat(r.lastStep()).isEqualTo(1);
    List<Row> versions = lakehouse.read(Tables.POLICY_VERSIONS).where("run_id = 'g'").orderBy(VERSION).collectAsList();
    assertThat(versions).hasSize(2);
    assertThat(versions.get(1).<String>getAs(KIND)).isEqualTo("rl");
    assertThat(versions.get(1).<Integer>getAs(PARENT_VERSION)).isZero();
    assertThat(versions.get(1).<Integer>getAs(LEARNER_STEP)).isEqualTo(2);
    Path v1 = Path.of(URI.create(r.checkpointUri()));
    assertThat(v1.resolve("optimizer.json")).exists();
    try (PolicyModel loaded = PolicyModel.load(v1, ai.djl.Device.cpu())) {
      assertThat(loaded.config().numHiddenLayers()).isPositive();
    }
    List<Row> metrics = lakehouse.read(Tables.LEARNER_METRICS).where("run_id = 'g'").orderBy(LEARNER_STEP).collectAsList();
    assertThat(metrics).hasSize(2);
    assertThat(metrics.get(0).<Integer>getAs(POLICY_VERSION)).isEqualTo(1);
    assertThat(metrics.get(0).<Double>getAs(GRAD_NORM)).isPositive();
    assertThat(metrics.get(0).<Double>getAs(FRESH_FRACTION)).isEqualTo(1.0);
    assertThat(metrics.get(0).<Long>getAs(SAMPLES)).isEqualTo(4L);
  }

  @Test
  void aCrashBeforeTheCommitLeavesNoVersionAndARerunPublishesExactlyOne() throws Exception {
    PolicyVersions.registerBase(lakehouse, "c", null, 2);
    experiences("c", 0);
    // what a learner that died between the checkpoint rename and the policy_versions commit leaves behind
    Path leftover = Path.of(URI.create(lakehouse.checkpointUri("c", 1)));
    Files.createDirectories(leftover);
    Files.writeString(leftover.resolve("model.safetensors"), "half-written");
    assertThat(PolicyVersions.latestVersion(lakehouse, "c")).contains(0);
    LearnJob.run(lakehouse, options("c", "grpo"), m -> {});
    assertThat(lakehouse.read(Tables.POLICY_VERSIONS).where("run_id = 'c'").count()).isEqualTo(2);
    try (PolicyModel loaded = PolicyModel.load(leftover, ai.djl.Device.cpu())) {
      assertThat(loaded).isNotNull();
    }
  }

  @Test
  void remixReplaysOlderVersionsAndResumesTheStepCounter() {
    PolicyVersions.registerBase(lakehouse, "x", null, 3);
    experiences("x", 0);
    LearnJob.run(lakehouse, options("x", "remix"), m -> {});
    experiences("x", 1);
    LearnJob.Result second = LearnJob.run(lakehouse, new LearnJob.Options("x", 2, 10, 7,
        Map.of("algorithm", "remix", "lr", "1e-3", "kl_beta", "0.01", "warmup_steps", "0", "replay_fraction", "0.4")),
        m -> {});
    assertThat(second.fromVersion()).isEqualTo(1);
    assertThat(second.firstStep()).isEqualTo(2);
    Row step = lakehouse.read(Tables.LEARNER_METRICS).where("run_id = 'x' AND learner_step = 2").head();
    assertThat(step.<Double>getAs(REPLAYED_FRACTION)).isEqualTo(0.4);
    assertThat(step.<scala.collection.Map<Integer, Long>>getAs(STALENESS_HISTOGRAM).get(1).get()).isEqualTo(4L);
  }

  @Test
  void missingExperiencesOrUnknownKeysAreClearErrors() {
    PolicyVersions.registerBase(lakehouse, "e", null, 4);
    assertThatThrownBy(() -> LearnJob.run(lakehouse, options("e", "grpo"), m -> {}))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("no scored experiences for version 0");
    assertThatThrownBy(() -> LearnJob.run(lakehouse, new LearnJob.Options("e", 1, 4, 0, Map.of("lr", "-1")), m -> {}))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("lr");
  }
}
