package com.replaylake.udfs.sql;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.replaylake.schemas.SparkTestSession;
import java.lang.reflect.Method;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where the RAPIDS Accelerator would run the reward functions, from its own planner on CPU
 * ({@code ExplainPlan.explainPotentialGpuPlan}). Needs the RAPIDS jar on the test class path
 * (udfs/pom.xml's gpu-plan execution, or {@code -Dmaven.test.additionalClasspath=<jar>});
 * skipped, and reported as skipped, without it.
 */
class RewardFunctionsGpuPlanTest {
  private static SparkSession spark;

  @BeforeAll
  static void setUp() {
    assumeTrue(rapidsPresent(), "RAPIDS jar not on the test class path");
    spark = SparkTestSession.get();
    RewardFunctions.register(spark);
  }

  private static boolean rapidsPresent() {
    try {
      Class.forName("com.nvidia.spark.rapids.ExplainPlan");
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static String explain(Dataset<Row> frame) throws Exception {
    Class<?> explainPlan = Class.forName("com.nvidia.spark.rapids.ExplainPlan");
    Method m = explainPlan.getMethod("explainPotentialGpuPlan", Dataset.class, String.class);
    return (String) m.invoke(null, frame, "ALL");
  }

  /** A GPU-capable source (a range), unlike an in-memory LocalTableScan. */
  private static Dataset<Row> samples() {
    return spark.range(4).selectExpr("cast(id as string) AS response", "cast(id as string) AS gold",
        "cast(id * 1000 as int) AS len");
  }

  @Test
  void builtInOverlongPenaltyRunsEntirelyOnGpu() throws Exception {
    String report = explain(samples().select(
        RewardFunctions.overlongPenalty(col("len"), 4096, 512).as("p")));
    assertThat(report).contains("<CaseWhen>").contains("<RaiseError>");
    assertThat(report.lines().filter(l -> l.contains("<")))
        .allSatisfy(l -> assertThat(l).endsWith("will run on GPU"));
  }

  @Test
  void javaUdfsRunOnTheCpuBridgeInsideAGpuPlan() throws Exception {
    for (Dataset<Row> frame : java.util.List.of(
        samples().select(RewardFunctions.verifyMath(col("response"), col("gold")).as("v")),
        samples().selectExpr("rl_verify_math(response, gold).reward AS r"),
        samples().select(RewardFunctions.formatReward(col("response")).as("f")),
        samples().selectExpr("rl_overlong_penalty(len, 4096, 512) AS p"))) {
      String report = explain(frame);
      assertThat(report).contains("<ScalaUDF>").contains("will run on GPU via CPU bridge")
          .contains("*Exec <ProjectExec> will run on GPU").doesNotContain("cannot run on GPU");
    }
  }
}
