package com.replaylake.jobs.analyze;

import static com.replaylake.schemas.Columns.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.replaylake.jobs.cli.ReplayLakeCli;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.policy.checkpoint.SafetensorsReader;
import com.replaylake.policy.checkpoint.SafetensorsWriter;
import com.replaylake.policy.checkpoint.TensorData;
import com.replaylake.policy.checkpoint.TensorDtype;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.ReplayLakeException;
import com.replaylake.schemas.SparkTestSession;
import com.replaylake.schemas.Tables;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeJobTest {
  private static final String Q0 = "model.layers.0.self_attn.q_proj.weight";
  private static final String DOWN1 = "model.layers.1.mlp.down_proj.weight";

  @TempDir Path dir;

  @Test
  void analyzesTinyCheckpointsWritesTensorLayerAndModelRowsAndRerunsIdempotently() throws Exception {
    Lakehouse lakehouse = SparkTestSession.lakehouse(dir);
    PolicyVersions.registerBase(lakehouse, "dyn", null, 1);
    Map<String, TensorData> v0 = tensors(PolicyVersions.checkpointUri(lakehouse, "dyn", 0));
    // v1 (sft): 10 known entries of one matrix changed, another matrix scaled by 2 (drift exactly 1)
    Map<String, TensorData> v1 = new LinkedHashMap<>(v0);
    float[] q = v0.get(Q0).values().clone();
    for (int i = 0; i < 10; i++) {
      q[i * 97] += 0.5f;
    }
    v1.put(Q0, new TensorData(Q0, v0.get(Q0).shape(), q));
    float[] down = v0.get(DOWN1).values().clone();
    for (int i = 0; i < down.length; i++) {
      down[i] *= 2;
    }
    v1.put(DOWN1, new TensorData(DOWN1, v0.get(DOWN1).shape(), down));
    publish(lakehouse, "dyn", 1, "sft", v1, TensorDtype.F32, false);
    // v2 (rl): v0 saved as BF16 in two shards: fp32 inputs are rounded to bf16 before comparing, so nothing changed
    publish(lakehouse, "dyn", 2, "rl", v0, TensorDtype.BF16, true);

    AnalyzeJob.Options options = new AnalyzeJob.Options("dyn", 0, 1, null, null, 8, 0.5, ".*");
    AnalyzeJob.Result first = AnalyzeJob.run(lakehouse, options, m -> {});
    long matrices = v0.values().stream().filter(t -> t.shape().length == 2).count();
    assertThat(first.tensors()).isEqualTo((int) matrices).isEqualTo(15); // embeddings + 7 per layer, tied head
    assertThat(first.layers()).isEqualTo(2);
    assertThat(first.rowsWritten()).isEqualTo(15 + 2 + 1);
    AnalyzeJob.Result again = AnalyzeJob.run(lakehouse, options, m -> {});
    assertThat(again.rowsWritten()).isEqualTo(18);
    assertThat(lakehouse.read(Tables.PARAM_DYNAMICS).where("run_id = 'dyn'").count()).as("rerun replaces").isEqualTo(18);

    Row qRow = tensorRow(lakehouse, 1, Q0);
    long qn = v0.get(Q0).values().length;
    assertThat(qRow.<Long>getAs(NUMEL)).isEqualTo(qn);
    assertThat(qRow.<Double>getAs(UPDATE_SPARSITY)).isEqualTo(1 - 10.0 / qn);
    assertThat(qRow.<Integer>getAs(LAYER)).isEqualTo(0);
    assertThat(qRow.getList(qRow.fieldIndex(SHAPE))).containsExactly(128L, 128L);
    assertThat(qRow.<Double>getAs(LOW_MAGNITUDE_OVERLAP)).isBetween(0.0, 1.0);
    Row downRow = tensorRow(lakehouse, 1, DOWN1);
    assertThat(downRow.<Double>getAs(SPECTRAL_DRIFT)).isCloseTo(1.0, within(1e-9));
    assertThat(downRow.<Double>getAs(PRINCIPAL_ANGLE_LEFT_MAX)).isLessThan(1e-5);
    assertThat(downRow.<Double>getAs(UPDATE_SPARSITY)).isLessThan(0.01);
    Row untouched = tensorRow(lakehouse, 1, "model.layers.1.self_attn.k_proj.weight");
    assertThat(untouched.<Double>getAs(UPDATE_SPARSITY)).isEqualTo(1.0);
    assertThat(untouched.<Double>getAs(SPECTRAL_DRIFT)).isEqualTo(0.0);
    assertThat(untouched.<Double>getAs(PRINCIPAL_OVERLAP)).as("no update: undefined").isNull();
    assertThat(untouched.<Integer>getAs(TOP_K_SUBSPACE)).isEqualTo(8);

    List<Row> model = lakehouse.read(Tables.PARAM_DYNAMICS)
        .where("run_id = 'dyn' AND to_version = 1 AND scope = 'model'").collectAsList();
    assertThat(model).hasSize(1);
    long total = v0.values().stream().filter(t -> t.shape().length == 2).mapToLong(t -> t.values().length).sum();
    assertThat(model.get(0).<Long>getAs(NUMEL)).isEqualTo(total);
    assertThat(model.get(0).<Double>getAs(UPDATE_SPARSITY))
        .isCloseTo(first.model().updateSparsity(), within(0.0)).isLessThan(1.0);
    assertThat(model.get(0).<String>getAs(TENSOR)).isEqualTo("model");
    assertThat(model.get(0).<Object>getAs(LAYER)).isNull();
    assertThat(model.get(0).<Object>getAs(JACCARD)).isNull();

    AnalyzeJob.Result bf16 = AnalyzeJob.run(lakehouse, new AnalyzeJob.Options("dyn", 0, 2), m -> {});
    assertThat(bf16.tensors()).isEqualTo(15);
    assertThat(bf16.model().updateSparsity()).as("sharded BF16 copy of an F32 checkpoint").isEqualTo(1.0);

    AnalyzeJob.Result cross = AnalyzeJob.run(lakehouse, new AnalyzeJob.Options("dyn", 0, 1, "dyn", 1, 8, 0.5,
        "self_attn"), m -> {});
    assertThat(cross.tensors()).isEqualTo(8);
    assertThat(cross.model().jaccard()).isEqualTo(1.0);
    assertThat(lakehouse.read(Tables.PARAM_DYNAMICS).where("run_id = 'dyn'").count()).isEqualTo(18 + 18 + 8 + 2 + 1);

    Path report = dir.resolve("report");
    DynamicsPlots.Section section = DynamicsPlots.render(lakehouse, "dyn", report);
    assertThat(section.html()).contains("<h2>", "<img src=\"dynamics_sparsity.png\"", "v0→v1 (sft)", "v0→v2 (rl)",
        "<table>");
    assertThat(String.join("\n", section.textLines())).contains("v0→v1 (sft)", "v0→v2 (rl)", "Jaccard 1.000");
    for (String png : List.of("dynamics_sparsity.png", "dynamics_drift.png", "dynamics_angle.png",
        "dynamics_overlap.png")) {
      assertThat(Files.size(report.resolve(png))).as(png).isGreaterThan(1000);
    }
    DynamicsPlots.Section empty = DynamicsPlots.render(lakehouse, "nothing", report);
    assertThat(empty.textLines().get(0)).contains("bin/replaylake analyze --run nothing");
  }

  @Test
  void rejectsBadOptionsWithExitCodeTwo() {
    assertThatThrownBy(() -> new AnalyzeJob.Options("r", 0, 1, "other", null, 8, 0.5, ".*"))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("--compare-to");
    assertThatThrownBy(() -> new AnalyzeJob.Options("r", 0, 1, null, null, 8, 1.5, ".*"))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("--alpha");
    assertThatThrownBy(() -> new AnalyzeJob.Options("r", 0, 1, null, null, 8, 0.5, "(["))
        .isInstanceOf(ReplayLakeException.class).hasMessageContaining("--tensors");
    StringWriter err = new StringWriter();
    int code = ReplayLakeCli.execute(new String[] {"analyze", "--lakehouse", dir.resolve("lh").toUri().toString(),
        "--run", "r", "--from", "0", "--to", "1", "--k", "0"}, new PrintWriter(new StringWriter(), true),
        new PrintWriter(err, true), false);
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--k");
    assertThat(AnalyzeJob.layerOf("model.layers.17.mlp.up_proj.weight")).contains(17);
    assertThat(AnalyzeJob.layerOf("model.embed_tokens.weight")).isEmpty();
  }

  private static Row tensorRow(Lakehouse lakehouse, int to, String tensor) {
    return lakehouse.read(Tables.PARAM_DYNAMICS)
        .where("run_id = 'dyn' AND to_version = " + to + " AND compare_run_id IS NULL AND tensor = '" + tensor + "'")
        .collectAsList().get(0);
  }

  private static Map<String, TensorData> tensors(String checkpointUri) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    SafetensorsReader.read(Path.of(URI.create(checkpointUri)).resolve("model.safetensors"), t -> out.put(t.name(), t));
    return out;
  }

  private void publish(Lakehouse lakehouse, String run, int version, String kind, Map<String, TensorData> tensors,
      TensorDtype dtype, boolean sharded) throws Exception {
    Path folder = dir.resolve(run + "-v" + version);
    Files.createDirectories(folder);
    if (!sharded) {
      try (OutputStream out = Files.newOutputStream(folder.resolve("model.safetensors"))) {
        SafetensorsWriter.write(out, tensors.values(), dtype, Map.of());
      }
    } else {
      List<TensorData> all = new ArrayList<>(tensors.values());
      StringBuilder map = new StringBuilder();
      for (int s = 0; s < 2; s++) {
        String file = "model-0000" + (s + 1) + "-of-00002.safetensors";
        List<TensorData> shard = all.subList(s == 0 ? 0 : all.size() / 2, s == 0 ? all.size() / 2 : all.size());
        try (OutputStream out = Files.newOutputStream(folder.resolve(file))) {
          SafetensorsWriter.write(out, shard, dtype, Map.of());
        }
        for (TensorData t : shard) {
          map.append(map.length() == 0 ? "" : ",").append('"').append(t.name()).append("\":\"").append(file).append('"');
        }
      }
      Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{" + map + "}}");
    }
    PolicyVersions.commit(lakehouse, run, version, version - 1, kind, folder.toUri().toString(), 0, Map.of());
  }
}
