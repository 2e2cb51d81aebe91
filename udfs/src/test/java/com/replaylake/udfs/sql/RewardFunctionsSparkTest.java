package com.replaylake.udfs.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.apache.spark.sql.functions.col;

import com.replaylake.schemas.SparkTestSession;
import com.replaylake.udfs.verify.VerifierConfig;
import com.replaylake.udfs.verify.VerifyMode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SQL functions and Column helpers on a local[2] session (tasks run on executor threads). */
class RewardFunctionsSparkTest {
  private static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.get();
    RewardFunctions.register(spark);
    StructType schema = new StructType()
        .add("id", DataTypes.IntegerType)
        .add("response", DataTypes.StringType)
        .add("gold", DataTypes.StringType)
        .add("len", DataTypes.IntegerType);
    List<Row> rows = List.of(
        RowFactory.create(1, "so \\boxed{\\frac{1}{2}}", "0.5", 100),
        RowFactory.create(2, "<think>\\boxed{7}</think> The answer is \\boxed{8}", "7", 3600),
        RowFactory.create(3, "I think it is 42", "42", 4000),
        RowFactory.create(4, "\\boxed{5}", null, 5000),
        RowFactory.create(5, null, "5", null),
        RowFactory.create(6, "#### 1,600", "1600", 3584));
    spark.createDataFrame(rows, schema).repartition(2).createOrReplaceTempView("samples");
  }

  @Test
  void sqlVerifyMathReturnsTheStruct() {
    List<Row> out = spark.sql("SELECT id, rl_verify_math(response, gold) AS v FROM samples ORDER BY id")
        .collectAsList();
    assertThat(out).hasSize(6);
    assertThat(struct(out.get(0))).containsExactly(1.0, "correct", "\\frac{1}{2}");
    assertThat(struct(out.get(1))).containsExactly(0.0, "incorrect", "8");
    assertThat(struct(out.get(2))).containsExactly(0.0, "no_answer", null);
    assertThat(struct(out.get(3))).containsExactly(null, "invalid_gold", "5");
    assertThat(struct(out.get(4))).containsExactly(0.0, "no_answer", null);
    assertThat(struct(out.get(5))).containsExactly(1.0, "correct", "1,600");
    assertThat(spark.sql("SELECT rl_verify_math(response, gold) AS v FROM samples").schema()
        .apply("v").dataType()).isEqualTo(RewardFunctions.VERIFY_RESULT_TYPE);
  }

  private static List<Object> struct(Row row) {
    Row v = row.getStruct(1);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      out.add(v.isNullAt(i) ? null : v.get(i));
    }
    return out;
  }

  @Test
  void sqlScalarRewards() {
    List<Row> out = spark.sql("SELECT id, rl_math_reward(response, gold), rl_format_reward(response),"
        + " rl_overlong_penalty(len, 4096, 512) FROM samples ORDER BY id").collectAsList();
    assertThat(out.get(0).get(1)).isEqualTo(1.0);
    assertThat(out.get(3).isNullAt(1)).isTrue();
    assertThat(out.get(0).getDouble(2)).isEqualTo(1.0);
    assertThat(out.get(1).getDouble(2)).isEqualTo(1.0);
    assertThat(out.get(2).getDouble(2)).isEqualTo(0.0);
    assertThat(out.get(4).getDouble(2)).isEqualTo(0.0);
    assertThat(out.get(0).getDouble(3)).isEqualTo(0.0);
    assertThat(out.get(1).getDouble(3)).isEqualTo((3584.0 - 3600) / 512);
    assertThat(out.get(2).getDouble(3)).isEqualTo((3584.0 - 4000) / 512);
    assertThat(out.get(3).getDouble(3)).isEqualTo(-1.0);
    assertThat(out.get(4).isNullAt(3)).isTrue();
    assertThat(out.get(5).getDouble(3)).isEqualTo(0.0);
  }

  @Test
  void overlongPenaltyAcceptsBigintColumnsAndRejectsBadArguments() {
    assertThat(spark.sql("SELECT rl_overlong_penalty(CAST(4000 AS BIGINT), 4096L, 512L)")
        .first().getDouble(0)).isEqualTo((3584.0 - 4000) / 512);
    assertThatThrownBy(() -> spark.sql("SELECT rl_overlong_penalty(10, 100, 200)").collect())
        .hasStackTraceContaining("cache_len must be in [0, 100]");
  }

  @Test
  void columnHelpersMatchTheSqlFunctions() {
    Dataset<Row> df = spark.table("samples")
        .withColumn("v", RewardFunctions.verifyMath(col("response"), col("gold")))
        .withColumn("r", RewardFunctions.mathReward(col("response"), col("gold")))
        .withColumn("f", RewardFunctions.formatReward(col("response")))
        .withColumn("p", RewardFunctions.overlongPenalty(col("len"), 4096, 512))
        .withColumn("p_sql", org.apache.spark.sql.functions.expr("rl_overlong_penalty(len, 4096, 512)"))
        .withColumn("r_sql", org.apache.spark.sql.functions.expr("rl_math_reward(response, gold)"))
        .orderBy("id");
    for (Row row : df.collectAsList()) {
      assertThat(row.isNullAt(row.fieldIndex("p"))).isEqualTo(row.isNullAt(row.fieldIndex("p_sql")));
      if (!row.isNullAt(row.fieldIndex("p"))) {
        assertThat(row.getDouble(row.fieldIndex("p"))).isEqualTo(row.getDouble(row.fieldIndex("p_sql")));
      }
      assertThat((Object) row.getAs("r")).isEqualTo(row.getAs("r_sql"));
      Row v = row.getStruct(row.fieldIndex("v"));
      assertThat(v.isNullAt(0) ? null : v.getDouble(0)).isEqualTo(row.getAs("r"));
    }
    Row lenient = spark.table("samples").where("id = 3")
        .select(RewardFunctions.verifyMath(col("response"), col("gold"),
            VerifierConfig.of(VerifyMode.LENIENT)).getField("status")).first();
    assertThat(lenient.getString(0)).isEqualTo("correct");
  }

  @Test
  void builtInOverlongPenaltyRejectsBadArguments() {
    assertThatThrownBy(() -> spark.range(1)
        .select(RewardFunctions.overlongPenalty(org.apache.spark.sql.functions.lit(10), 100, 200))
        .collect())
        .hasStackTraceContaining("Cannot compute overlong penalty");
  }

  @Test
  void udfsSurviveJavaSerialization() throws Exception {
    VerifyMathUdf udf = new VerifyMathUdf(VerifierConfig.defaults());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(udf);
      out.writeObject(new MathRewardUdf(VerifierConfig.defaults()));
      out.writeObject(new FormatRewardUdf());
      out.writeObject(new OverlongPenaltyUdf());
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      VerifyMathUdf copy = (VerifyMathUdf) in.readObject();
      assertThat(copy.call("\\boxed{2}", "2").getString(1)).isEqualTo("correct");
      assertThat(((MathRewardUdf) in.readObject()).call("\\boxed{3}", "2")).isEqualTo(0.0);
    }
  }

  @Test
  void manyRowsAcrossPartitions() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      rows.add(RowFactory.create(i, "#### " + (i % 2 == 0 ? i : i + 1), String.valueOf(i), i));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("response", DataTypes.StringType).add("gold", DataTypes.StringType)
        .add("len", DataTypes.IntegerType);
    Row sums = spark.createDataFrame(rows, schema).repartition(4)
        .select(RewardFunctions.mathReward(col("response"), col("gold")).as("r"))
        .agg(org.apache.spark.sql.functions.sum("r"), org.apache.spark.sql.functions.count("r"))
        .first();
    assertThat(sums.getDouble(0)).isEqualTo(1_000.0);
    assertThat(sums.getLong(1)).isEqualTo(2_000L);
  }
}
