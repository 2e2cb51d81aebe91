package com.replaylake.udfs.verify;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.replaylake.schemas.SparkTestSession;
import com.replaylake.udfs.sql.RewardFunctions;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Selecting all three fields of the verifier struct must not run the verifier three times per
 * row (Spark must not inline the UDF into each field access). Counted through the JVM-wide gold
 * cache, which sees one lookup per check; local mode runs the tasks in this JVM.
 */
class VerifyOncePerRowSparkTest {
  @Test
  void theStructIsComputedOncePerRow() {
    SparkSession spark = SparkTestSession.get();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      rows.add(RowFactory.create("#### " + i, String.valueOf(i % 7)));
    }
    Dataset<Row> df = spark.createDataFrame(rows, new StructType()
        .add("response", DataTypes.StringType).add("gold", DataTypes.StringType));
    Dataset<Row> scored = df
        .withColumn("_v", RewardFunctions.verifyMath(col("response"), col("gold")))
        .withColumn("reward", col("_v.reward"))
        .withColumn("status", col("_v.status"))
        .withColumn("extracted", col("_v.extracted"))
        .drop("_v");
    long before = GoldCache.SHARED.hits() + GoldCache.SHARED.misses();
    List<Row> out = scored.collectAsList();
    long checks = GoldCache.SHARED.hits() + GoldCache.SHARED.misses() - before;
    assertThat(out).hasSize(300);
    assertThat(checks).isEqualTo(300);
    assertThat(out.stream().filter(r -> "correct".equals(r.getAs("status")))).hasSize(7);
  }
}
