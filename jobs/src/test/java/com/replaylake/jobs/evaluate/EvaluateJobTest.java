package com.replaylake.jobs.evaluate;

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
import com.replaylake.udfs.verify.VerifierConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateJobTest {

  @TempDir Path dir;

  @Test
  void greedyEvaluationWritesOneReplaceableRow() throws Exception {
    Lakehouse lakehouse = SparkTestSession.lakehouse(dir);
    Path file = dir.resolve("sub_test.jsonl");
    Files.writeString(file, "{\"prompt\":\"9-1=\",\"answer\":\"8\"}\n{\"prompt\":\"7-2=\",\"answer\":\"5\"}\n"
        + "{\"prompt\":\"5-5=\",\"answer\":\"0\"}\n");
    IngestJob.run(lakehouse, new IngestJob.Options("sub", SourceFormat.JSONL, file.toString(), null, FieldMapping.defaults()));
    PolicyVersions.registerBase(lakehouse, "e", null, 2);
    EvaluateJob.Options options = new EvaluateJob.Options("e", 0, "sub", "test", 0, 12, 2, 64, "{prompt}",
        VerifierConfig.defaults());
    EvaluateJob.Result first = EvaluateJob.run(lakehouse, options, m -> {});
    EvaluateJob.Result second = EvaluateJob.run(lakehouse, options, m -> {});
    assertThat(first.n()).isEqualTo(3);
    assertThat(first.passAt1()).isEqualTo(first.correct() / 3.0);
    assertThat(first.meanResponseLength()).isBetween(1.0, 12.0);
    assertThat(second.meanResponseLength()).as("greedy decoding is deterministic").isEqualTo(first.meanResponseLength());
    List<Row> rows = lakehouse.read(Tables.EVALUATIONS).where("run_id = 'e'").collectAsList();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).<Long>getAs(N)).isEqualTo(3L);
    assertThat(rows.get(0).<String>getAs(SPLIT)).isEqualTo("test");

    EvaluateJob.Result limited = EvaluateJob.run(lakehouse, new EvaluateJob.Options("e", 0, "sub", "test", 2, 12, 2, 64,
        "{prompt}", VerifierConfig.defaults()), m -> {});
    assertThat(limited.n()).isEqualTo(2);
    assertThatThrownBy(() -> EvaluateJob.run(lakehouse, new EvaluateJob.Options("e", 0, "nope", "test", 0, 12, 2, 64,
        "{prompt}", VerifierConfig.defaults()), m -> {})).isInstanceOf(ReplayLakeException.class).hasMessageContaining("no prompts");
  }
}
