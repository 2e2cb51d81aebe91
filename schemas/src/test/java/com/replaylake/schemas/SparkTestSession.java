package com.replaylake.schemas;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession of a test JVM: {@code local[2]} (or the system property {@code
 * replaylake.test.master}, e.g. {@code local[2,2]} to allow task retries), UI off, two shuffle partitions,
 * Delta enabled. Tests open a temp lakehouse per class with {@link #lakehouse(Path)}.
 */
public final class SparkTestSession {
  private SparkTestSession() {}

  private static SparkSession session;

  public static synchronized SparkSession get() {
    if (session == null) {
      session = SparkSession.builder()
          .master(System.getProperty("replaylake.test.master", "local[2]"))
          .appName("replaylake-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.default.parallelism", "2")
          .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
          .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
          .config("spark.databricks.delta.snapshotPartitions", "2")
          .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "2")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.session.timeZone", "UTC")
          .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> session.stop()));
    }
    return session;
  }

  /** Opens a fresh lakehouse in {@code dir}. */
  public static Lakehouse lakehouse(Path dir) {
    return Lakehouse.open(get(), dir.resolve("lakehouse").toUri().toString());
  }

  public static List<Row> sql(String query) {
    return get().sql(query).collectAsList();
  }
}
