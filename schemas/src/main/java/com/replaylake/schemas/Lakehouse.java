package com.replaylake.schemas;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Delta lakehouse at one base URI (any Hadoop FS URI; default {@code ./lakehouse}).
 *
 * <p>Layout: {@code <base>/tables/<table>} for every contract of {@link Tables}, and {@code
 * <base>/checkpoints/<run_id>/v<version>/} for policy checkpoints. {@link #open} creates missing
 * tables (idempotently), validates existing ones against their contract, and registers every table
 * as a temporary view of the session, so {@code spark.sql("SELECT ... FROM experiences")} works.
 */
public final class Lakehouse {

  /** Default base URI, relative to the working directory. */
  public static final String DEFAULT_BASE = "./lakehouse";

  private final SparkSession spark;
  private final String base;

  private Lakehouse(SparkSession spark, String base) {
    this.spark = spark;
    this.base = base;
  }

  /**
   * Opens the lakehouse at {@code baseUri}: creates the base folder and every missing table,
   * validates existing tables, registers views. Safe to call any number of times.
   *
   * @throws ReplayLakeException naming the table, column and expected vs found type when an
   *     existing table disagrees with its contract
   */
  public static Lakehouse open(SparkSession spark, String baseUri) {
    Objects.requireNonNull(spark, "spark");
    String base = qualify(spark, baseUri == null ? DEFAULT_BASE : baseUri);
    Lakehouse lakehouse = new Lakehouse(spark, base);
    // Tables are independent: create or validate them concurrently (Spark runs the jobs side by side).
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(Tables.ALL.size(), 4), r -> {
      Thread t = new Thread(r, "lakehouse-open");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> pending = new ArrayList<>();
      for (TableContract contract : Tables.ALL) {
        pending.add(pool.submit(() -> lakehouse.ensure(contract)));
      }
      RuntimeException first = null;
      for (Future<?> f : pending) { // wait for all, so nothing is still writing when we report
        try {
          f.get();
        } catch (ExecutionException e) {
          RuntimeException failure = e.getCause() instanceof RuntimeException re
              ? re : Errors.lakehouseUnavailable(base, e.getCause());
          first = first == null ? failure : first;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw Errors.lakehouseUnavailable(base, e);
        }
      }
      if (first != null) {
        throw first;
      }
    } finally {
      pool.shutdownNow();
    }
    lakehouse.registerViews();
    return lakehouse;
  }

  /** Fully qualified base URI, e.g. {@code file:/home/me/lakehouse}. */
  public String base() {
    return base;
  }

  public SparkSession spark() {
    return spark;
  }

  /** Location of a table's Delta folder. */
  public String location(TableContract contract) {
    return base + "/tables/" + contract.name();
  }

  /** Folder of the checkpoint of (run, version). */
  public String checkpointUri(String runId, int version) {
    return base + "/checkpoints/" + runId + "/v" + version;
  }

  /** The table as a DataFrame (latest snapshot). */
  public Dataset<Row> read(TableContract contract) {
    return spark.read().format("delta").load(location(contract));
  }

  /**
   * Replaces the rows of a table matching {@code where} (a Delta {@code replaceWhere} predicate)
   * with {@code rows}, in one atomic commit: the job-level idempotence of every writer.
   */
  public void replace(TableContract contract, Dataset<Row> rows, String where, String note) {
    rows.write().format("delta").mode(SaveMode.Overwrite)
        .option("replaceWhere", where)
        .option("userMetadata", note)
        .save(location(contract));
  }

  /** {@link #replace} for a few rows built on the driver (summary and metric rows). */
  public void replace(TableContract contract, List<Row> rows, String where, String note) {
    replace(contract, spark.createDataFrame(rows, contract.schema()), where, note);
  }

  /** Appends rows built on the driver in one commit. */
  public void append(TableContract contract, List<Row> rows, String note) {
    spark.createDataFrame(rows, contract.schema()).write().format("delta").mode(SaveMode.Append)
        .option("userMetadata", note)
        .save(location(contract));
  }

  public DeltaTable delta(TableContract contract) {
    return DeltaTable.forPath(spark, location(contract));
  }

  /** Latest committed Delta version of the table (0 right after creation). */
  public long latestVersion(TableContract contract) {
    return snapshot(location(contract)).version();
  }

  /**
   * The latest snapshot of a Delta table, read from its log without running a Spark job. This is
   * Delta's internal {@code DeltaLog} API (pinned Delta version), kept to this one method: the
   * public alternatives ({@code detail()}, {@code history()}) each run a job and made opening the
   * lakehouse several times slower.
   */
  private Snapshot snapshot(String location) {
    DeltaLog log = DeltaLog.forTable(spark, location);
    return log.update(log.update$default$1(), log.update$default$2(), log.update$default$3());
  }

  /** Re-registers every table as a temporary view named after it. */
  public void registerViews() {
    for (TableContract contract : Tables.ALL) {
      spark.sql("CREATE OR REPLACE TEMPORARY VIEW `" + contract.name() + "` AS SELECT * FROM delta.`"
          + location(contract).replace("`", "``") + "`");
    }
  }

  private void ensure(TableContract contract) {
    String location = location(contract);
    try {
      Path path = new Path(location);
      FileSystem fs = path.getFileSystem(hadoopConf());
      if (fs.exists(path)) {
        boolean hasLog = fs.exists(new Path(path, "_delta_log"));
        boolean empty = fs.listStatus(path).length == 0;
        if (hasLog) {
          validate(contract, location);
          return;
        }
        if (!empty) {
          throw Errors.notADeltaTable(contract.name(), location);
        }
      }
    } catch (IOException e) {
      throw Errors.lakehouseUnavailable(base, e);
    }
    // An empty write creates the table atomically; "ignore" keeps a table another process just made.
    spark.createDataFrame(List.<Row>of(), contract.schema())
        .write()
        .format("delta")
        .mode(SaveMode.Ignore)
        .partitionBy(contract.partitionColumns().toArray(String[]::new))
        .option("userMetadata", "replaylake: create " + contract.name())
        .save(location);
  }

  private void validate(TableContract contract, String location) {
    Snapshot snapshot = snapshot(location);
    StructType found = snapshot.schema();
    List<ColumnSpec> added = new ArrayList<>();
    for (var column : contract.columns()) {
      StructField field = find(found, column.name());
      if (field == null && column.nullable()) {
        added.add(column); // additive evolution: a nullable column added to the contract later
        continue;
      }
      if (field == null) {
        throw Errors.contractMismatch(contract.name(), location, column.name(), column.type().catalogString(), null);
      }
      if (!sameType(column.type(), field.dataType())) {
        throw Errors.contractMismatch(contract.name(), location, column.name(),
            column.type().catalogString(), field.dataType().catalogString());
      }
    }
    List<String> partitions = new ArrayList<>(CollectionConverters.asJava(snapshot.metadata().partitionColumns()));
    if (!partitions.equals(contract.partitionColumns())) {
      throw Errors.partitioningMismatch(contract.name(), location,
          contract.partitionColumns().toString(), partitions.toString());
    }
    if (!added.isEmpty()) {
      String columns = String.join(", ", added.stream()
          .map(c -> "`" + c.name() + "` " + c.type().sql() + " COMMENT '" + c.doc().replace("'", "\\'") + "'").toList());
      spark.sql("ALTER TABLE delta.`" + location.replace("`", "``") + "` ADD COLUMNS (" + columns + ")");
    }
  }

  private static StructField find(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  /** Type equality ignoring nullability and metadata (comments), recursively. */
  static boolean sameType(DataType expected, DataType found) {
    if (expected instanceof StructType es && found instanceof StructType fs) {
      if (es.fields().length != fs.fields().length) {
        return false;
      }
      for (int i = 0; i < es.fields().length; i++) {
        StructField a = es.fields()[i];
        StructField b = fs.fields()[i];
        if (!a.name().equals(b.name()) || !sameType(a.dataType(), b.dataType())) {
          return false;
        }
      }
      return true;
    }
    if (expected instanceof ArrayType ea && found instanceof ArrayType fa) {
      return sameType(ea.elementType(), fa.elementType());
    }
    if (expected instanceof MapType em && found instanceof MapType fm) {
      return sameType(em.keyType(), fm.keyType()) && sameType(em.valueType(), fm.valueType());
    }
    return expected.equals(found);
  }

  private Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static String qualify(SparkSession spark, String uri) {
    String trimmed = uri.endsWith("/") && uri.length() > 1 ? uri.substring(0, uri.length() - 1) : uri;
    try {
      Path path = new Path(trimmed);
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path qualified = fs.makeQualified(path);
      fs.mkdirs(qualified);
      URI u = qualified.toUri();
      return u.toString();
    } catch (IOException | IllegalArgumentException e) {
      throw Errors.lakehouseUnavailable(uri, e);
    }
  }
}
