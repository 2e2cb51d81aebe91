package com.replaylake.jobs.bench;

import static com.replaylake.schemas.Columns.GROUP_ID;
import static com.replaylake.schemas.Columns.POLICY_VERSION;
import static com.replaylake.schemas.Columns.REWARD;
import static com.replaylake.schemas.Columns.RUN_ID;
import static com.replaylake.schemas.Columns.SAMPLE_INDEX;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;

import com.replaylake.udfs.advantage.Estimator;
import com.replaylake.udfs.advantage.GroupAdvantage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Rows per second of the advantage stage on synthetic scored rows (binary rewards, 2% null),
 * cached in memory first so the number is the window computation, not data generation; the
 * result goes to Spark's {@code noop} sink.
 */
public final class AdvantageBenchmark {
  private AdvantageBenchmark() {}

  public record Measurement(String estimator, long rows, int groupSize, double seconds, double rowsPerSecond) {}

  public static List<Measurement> run(SparkSession spark, long rows, int groupSize, int repeats, Consumer<String> log) {
    Dataset<Row> scored = spark.range(rows)
        .withColumn(RUN_ID, lit("bench"))
        .withColumn(POLICY_VERSION, lit(1))
        .withColumn(GROUP_ID, col("id").divide(groupSize).cast("long").cast("string"))
        .withColumn(SAMPLE_INDEX, pmod(col("id"), lit(groupSize)).cast("int"))
        .withColumn(REWARD, when(pmod(hash(col("id"), lit(7)), lit(50)).equalTo(0), lit(null).cast("double"))
            .otherwise(pmod(hash(col("id")), lit(2)).cast("double")))
        .drop("id")
        .persist(StorageLevel.MEMORY_AND_DISK());
    long n = scored.count();
    log.accept("generated and cached " + n + " scored rows in groups of " + groupSize);
    List<Measurement> out = new ArrayList<>();
    try {
      for (Estimator e : Estimator.values()) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
          long t0 = System.nanoTime();
          GroupAdvantage.apply(scored, GroupAdvantage.Options.of(e)).write().format("noop").mode("overwrite").save();
          best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        Measurement m = new Measurement(e.sqlName(), n, groupSize, best, n / best);
        log.accept(String.format("%-13s %,d rows in %.2f s = %,.0f rows/s (best of %d)", e.sqlName(), n, best,
            m.rowsPerSecond(), repeats));
        out.add(m);
      }
    } finally {
      scored.unpersist();
    }
    return out;
  }
}
