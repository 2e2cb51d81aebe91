package com.replaylake.jobs;

import com.replaylake.jobs.ingest.PromptRecord;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;

/** Writes small hand-made rollouts for job tests. */
public final class RolloutFixtures {
  private RolloutFixtures() {}

  /** One sampled response. */
  public record Sample(String promptId, int step, String responseText, int responseTokens) {}

  public static String promptId(String dataset, String sourceId) {
    return PromptRecord.promptId(dataset, sourceId);
  }

  /** Appends rollouts of (run, version); samples of the same prompt and step form one group. */
  public static void write(Lakehouse lakehouse, String runId, int version, List<Sample> samples) {
    List<Row> rows = new ArrayList<>();
    Timestamp now = Timestamp.from(Instant.now());
    java.util.Map<String, Integer> indexInGroup = new java.util.HashMap<>();
    for (Sample s : samples) {
      String groupId = s.step() + "-" + s.promptId();
      int index = indexInGroup.merge(groupId, 1, Integer::sum) - 1;
      List<Integer> promptTokens = List.of(1, 2, 3);
      List<Integer> responseTokens = new ArrayList<>();
      List<Float> logprobs = new ArrayList<>();
      for (int i = 0; i < s.responseTokens(); i++) {
        responseTokens.add(10 + i);
        logprobs.add(-0.5f);
      }
      Row sampling = RowFactory.create(1.0, 1.0, 0, 64, 1000L + index);
      rows.add(RowFactory.create(runId, version, s.step(), s.promptId(), groupId, index, "prompt", promptTokens,
          responseTokens, logprobs, s.responseText(), s.responseTokens() >= 64 ? "length" : "stop", sampling, now, "driver"));
    }
    lakehouse.spark().createDataFrame(rows, Tables.ROLLOUTS.schema())
        .write().format("delta").mode(SaveMode.Append).save(lakehouse.location(Tables.ROLLOUTS));
  }
}
