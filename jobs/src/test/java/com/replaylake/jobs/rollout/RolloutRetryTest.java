package com.replaylake.jobs.rollout;

import static com.replaylake.schemas.Columns.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.replaylake.jobs.ingest.FieldMapping;
import com.replaylake.jobs.ingest.IngestJob;
import com.replaylake.jobs.ingest.SourceFormat;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.SparkTestSession;
import com.replaylake.schemas.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs with local[2,2] (see jobs/pom.xml): every generation task fails once and is retried. */
class RolloutRetryTest {

  @TempDir Path dir;

  @Test
  void aTaskThatFailsOnceIsRetriedWithoutDuplicatesAndWithIdenticalSamples() throws Exception {
    assertThat(SparkTestSession.get().sparkContext().master()).isEqualTo("local[2,2]");
    Lakehouse lakehouse = SparkTestSession.lakehouse(dir);
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      jsonl.append("{\"prompt\":\"").append(i).append("*2=\",\"answer\":\"").append(2 * i).append("\"}\n");
    }
    Path file = dir.resolve("mul.jsonl");
    Files.writeString(file, jsonl);
    IngestJob.run(lakehouse, new IngestJob.Options("mul", SourceFormat.JSONL, file.toString(), "train", FieldMapping.defaults()));
    PolicyVersions.registerBase(lakehouse, "r", null, 5);
    RolloutJob.Options options = new RolloutJob.Options("r", 0, 0, "mul", "train", 4, 3, 1.0, 1.0, 0, 6, 9, 2, 64,
        "{prompt}", 0);

    RolloutJob.run(lakehouse, options, m -> {});
    List<Row> clean = lakehouse.read(Tables.ROLLOUTS).orderBy(GROUP_ID, SAMPLE_INDEX).collectAsList();

    int before = GenerateFunction.INJECTED_FAILURES.get();
    var sc = SparkTestSession.get().sparkContext();
    sc.setLocalProperty(GenerateFunction.INJECT_FAILURE_PROPERTY, "true");
    try {
      RolloutJob.run(lakehouse, options, m -> {});
    } finally {
      sc.setLocalProperty(GenerateFunction.INJECT_FAILURE_PROPERTY, null);
    }
    assertThat(GenerateFunction.INJECTED_FAILURES.get() - before).as("tasks failed and were retried").isEqualTo(2);
    List<Row> retried = lakehouse.read(Tables.ROLLOUTS).orderBy(GROUP_ID, SAMPLE_INDEX).collectAsList();
    assertThat(retried).hasSize(12);
    assertThat(lakehouse.read(Tables.ROLLOUTS).select(GROUP_ID, SAMPLE_INDEX).distinct().count()).isEqualTo(12);
    for (int i = 0; i < clean.size(); i++) {
      for (String column : List.of(PROMPT_ID, RESPONSE_TOKEN_IDS, BEHAVIOR_LOGPROBS, RESPONSE_TEXT)) {
        assertThat((Object) retried.get(i).getAs(column)).as(column).isEqualTo(clean.get(i).getAs(column));
      }
    }
  }
}
