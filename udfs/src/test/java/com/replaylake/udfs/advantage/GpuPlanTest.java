package com.replaylake.udfs.advantage;

import static com.replaylake.schemas.Columns.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.replaylake.schemas.SparkTestSession;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks on CPU, with the RAPIDS Accelerator's own planner, that every operator of the advantage
 * computation would run on a GPU. Runs in its own surefire execution with the RAPIDS jar on the
 * class path (udfs/pom.xml).
 */
class GpuPlanTest {

  private final SparkSession spark = SparkTestSession.get();

  private static final StructType SCORED = new StructType()
      .add(RUN_ID, DataTypes.StringType, false)
      .add(POLICY_VERSION, DataTypes.IntegerType, false)
      .add(GROUP_ID, DataTypes.StringType, false)
      .add(SAMPLE_INDEX, DataTypes.IntegerType, false)
      .add(REWARD, DataTypes.DoubleType, true);

  static String explain(Dataset<Row> frame, String mode) throws Exception {
    Class<?> explainPlan = Class.forName("com.nvidia.spark.rapids.ExplainPlan");
    Method m = explainPlan.getMethod("explainPotentialGpuPlan", Dataset.class, String.class);
    return (String) m.invoke(null, frame, mode);
  }

  @TempDir static Path dir;

  /** Scored rows read from Parquet, as the score job reads Delta: a GPU-capable file scan. */
  private Dataset<Row> scored() {
    String path = dir.resolve("scored.parquet").toString();
    if (!java.nio.file.Files.exists(Path.of(path))) {
      inMemory().coalesce(1).write().parquet(path);
    }
    return spark.read().parquet(path);
  }

  private Dataset<Row> inMemory() {
    List<Row> rows = new ArrayList<>();
    for (int g = 0; g < 20; g++) {
      for (int i = 0; i < 4; i++) {
        rows.add(RowFactory.create("r", 1, "g" + g, i, (g + i) % 3 == 0 ? null : (double) ((g * i) % 2)));
      }
    }
    return spark.createDataFrame(rows, SCORED);
  }

  @ParameterizedTest
  @EnumSource(Estimator.class)
  void everyAdvantageOperatorCanRunOnGpu(Estimator estimator) throws Exception {
    for (boolean filter : new boolean[] {false, true}) {
      Dataset<Row> advantages = GroupAdvantage.apply(scored(), new GroupAdvantage.Options(estimator, 1e-6, filter, 4));
      String all = explain(advantages, "ALL");
      assertThat(all).as("the planner must have looked at the window").containsIgnoringCase("Window");
      String notOnGpu = explain(advantages, "NOT_ON_GPU");
      List<String> blockers = notOnGpu.lines()
          .filter(l -> l.contains("cannot run on GPU") || l.contains("will not run on GPU"))
          .toList();
      assertThat(blockers).as(estimator + " filter=" + filter + ":\n" + notOnGpu).isEmpty();
    }
  }

  @Test
  void theVerifierUdfIsReportedAsTheCpuPart() throws Exception {
    Dataset<Row> withUdf = scored().withColumn("v",
        com.replaylake.udfs.sql.RewardFunctions.verifyMath(org.apache.spark.sql.functions.col(GROUP_ID),
            org.apache.spark.sql.functions.col(GROUP_ID)));
    String report = explain(withUdf, "ALL");
    System.out.println("RAPIDS report for the verifier UDF:\n" + report);
    assertThat(report).contains("ScalaUDF");
    assertThat(report.lines().filter(l -> l.contains("ScalaUDF")).findFirst().orElseThrow())
        .containsAnyOf("CPU bridge", "cannot run on GPU");
  }
}
