package com.replaylake.jobs.policy;

import static com.replaylake.schemas.Columns.*;

import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.checkpoint.TensorDtype;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code policy_versions} table: resolving a (run, version) to its checkpoint, and publishing
 * a checkpoint atomically: files to a temporary folder, a rename into place, then the Delta commit
 * of the row. A crash leaves either no version or a complete one.
 */
public final class PolicyVersions {
  private PolicyVersions() {}

  /** The published checkpoint of (run, version). */
  public static String checkpointUri(Lakehouse lakehouse, String runId, int version) {
    List<Row> rows = lakehouse.read(Tables.POLICY_VERSIONS)
        .where(RUN_ID + " = '" + runId + "' AND " + VERSION + " = " + version)
        .select(CHECKPOINT_URI).collectAsList();
    if (rows.isEmpty()) {
      throw Errors.invalidOption("--run/--version", runId + "/" + version,
          "no such policy version in policy_versions; register a base first (bin/replaylake register-base --run " + runId + ")");
    }
    return rows.get(0).getString(0);
  }

  public static Optional<Integer> latestVersion(Lakehouse lakehouse, String runId) {
    Row row = lakehouse.read(Tables.POLICY_VERSIONS).where(RUN_ID + " = '" + runId + "'")
        .agg(org.apache.spark.sql.functions.max(VERSION)).head();
    return row.isNullAt(0) ? Optional.empty() : Optional.of(row.getInt(0));
  }

  /**
   * Registers version 0 of a run from a checkpoint folder (any Hadoop FS URI), or from the built-in
   * tiny demo policy when {@code sourceUri} is null. Refuses when the run already has a version 0.
   */
  public static String registerBase(Lakehouse lakehouse, String runId, String sourceUri, long tinySeed) {
    return registerBase(lakehouse, runId, sourceUri, tinySeed, true);
  }

  /** Registers the built-in tiny policy without chat template (a base model for plain-text prompts). */
  public static String registerTinyPlain(Lakehouse lakehouse, String runId, long tinySeed) {
    return registerBase(lakehouse, runId, null, tinySeed, false);
  }

  /** As {@link #registerBase(Lakehouse, String, String, long)}; {@code chat} picks the tiny policy's flavor. */
  public static String registerBase(Lakehouse lakehouse, String runId, String sourceUri, long tinySeed, boolean chat) {
    if (latestVersion(lakehouse, runId).isPresent()) {
      throw Errors.invalidOption("--run", runId, "the run already has policy versions; choose a new run id");
    }
    Configuration conf = lakehouse.spark().sparkContext().hadoopConfiguration();
    String target = lakehouse.checkpointUri(runId, 0);
    String staging = target + ".tmp-" + UUID.randomUUID();
    try {
      if (sourceUri == null) {
        try (PolicyModel tiny = chat ? PolicyModel.tiny(tinySeed) : PolicyModel.tinyPlain(tinySeed)) {
          tiny.save(HadoopCheckpoints.sink(staging, conf), TensorDtype.F32);
        }
      } else {
        Path src = new Path(sourceUri);
        FileSystem srcFs = src.getFileSystem(conf);
        if (!srcFs.isDirectory(src)) {
          throw Errors.unreadableFile(sourceUri, new IOException("not a checkpoint folder"));
        }
        Path dst = new Path(staging);
        FileSystem dstFs = dst.getFileSystem(conf);
        dstFs.mkdirs(dst);
        for (var status : srcFs.listStatus(src)) {
          if (status.isFile()) {
            FileUtil.copy(srcFs, status.getPath(), dstFs, new Path(dst, status.getPath().getName()), false, conf);
          }
        }
        // fail before publishing if the folder is not a loadable checkpoint
        com.replaylake.policy.checkpoint.PolicyCheckpoint.read(HadoopCheckpoints.source(staging, conf));
      }
      publish(lakehouse, staging, target);
    } catch (IOException e) {
      throw Errors.unreadableFile(sourceUri == null ? staging : sourceUri, e);
    }
    commit(lakehouse, runId, 0, null, "base", target, 0,
        Map.of("source", sourceUri == null ? (chat ? "tiny" : "tiny-plain") + "(seed=" + tinySeed + ")" : sourceUri));
    return target;
  }

  /** Moves a fully written staging folder to its final place (replacing an unpublished leftover). */
  public static void publish(Lakehouse lakehouse, String staging, String target) throws IOException {
    Configuration conf = lakehouse.spark().sparkContext().hadoopConfiguration();
    Path dst = new Path(target);
    FileSystem fs = dst.getFileSystem(conf);
    if (fs.exists(dst)) {
      fs.delete(dst, true); // no row points at it: a leftover of a crash between rename and commit
    }
    fs.mkdirs(dst.getParent());
    if (!fs.rename(new Path(staging), dst)) {
      throw new IOException("rename " + staging + " -> " + target + " failed");
    }
  }

  /** Commits the row that makes a checkpoint visible. */
  public static void commit(Lakehouse lakehouse, String runId, int version, Integer parent, String kind, String uri,
      int learnerStep, Map<String, String> config) {
    Row row = RowFactory.create(runId, version, parent, kind, uri, learnerStep, Timestamp.from(Instant.now()),
        CollectionConverters.asScala(config));
    lakehouse.append(Tables.POLICY_VERSIONS, List.of(row), "replaylake publish " + runId + " v" + version);
  }
}
