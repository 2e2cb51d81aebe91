package com.replaylake.udfs.sql;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows per second of {@code rl_verify_math} through Spark (UDF path, row conversion included) on
 * GSM8K reference solutions, replicated 128 times and cached. A main class, not a test:
 *
 * <pre>
 * mvn -B -o -q -pl udfs test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt \
 *     -Dmdep.includeScope=test
 * java $SPARK_JVM_FLAGS -cp udfs/target/test-classes:udfs/target/classes:$(cat /tmp/cp.txt) \
 *     com.replaylake.udfs.sql.SparkRewardBenchmark udfs/src/test/resources/data/gsm8k_test.jsonl 2
 * </pre>
 */
public final class SparkRewardBenchmark {
  private SparkRewardBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path gsm8k = Path.of(args[0]);
    int cores = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    SparkSession spark = SparkSession.builder().master("local[" + cores + "]")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    ObjectMapper mapper = new ObjectMapper();
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(gsm8k, StandardCharsets.UTF_8)) {
      String solution = mapper.readTree(line).get("answer").asText();
      rows.add(RowFactory.create(solution,
          solution.substring(solution.lastIndexOf("####") + 4).trim()));
    }
    StructType schema = new StructType()
        .add("response", DataTypes.StringType).add("gold", DataTypes.StringType);
    Dataset<Row> data = spark.createDataFrame(rows, schema);
    for (int i = 0; i < 7; i++) {
      data = data.union(data);
    }
    data = data.repartition(cores).cache();
    long n = data.count();
    for (int round = 0; round < 10; round++) {
      long t0 = System.nanoTime();
      Row r = data.select(RewardFunctions.verifyMath(col("response"), col("gold"))
              .getField(RewardFunctions.REWARD_FIELD).as("r"))
          .agg(sum("r"), count(lit(1))).first();
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "round %d: %d rows in %.2f s = %,.0f rows/s on %d cores"
          + " (reward sum %s)%n", round, n, s, n / s, cores, r.get(0));
    }
    spark.stop();
  }
}
