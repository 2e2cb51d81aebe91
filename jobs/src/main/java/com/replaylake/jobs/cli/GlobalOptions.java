package com.replaylake.jobs.cli;

import com.replaylake.jobs.spark.SparkSessions;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command takes, before or after its name. */
public final class GlobalOptions {

  /** Environment variable naming the default lakehouse. */
  public static final String LAKEHOUSE_ENV = "REPLAYLAKE_LAKEHOUSE";
  /** Environment variable (set by bin/replaylake) naming the installation folder, for conf/. */
  public static final String HOME_ENV = "REPLAYLAKE_HOME";

  @Option(names = "--lakehouse", scope = ScopeType.INHERIT, paramLabel = "URI",
      description = "Lakehouse base URI (any Hadoop FS URI). Default: $" + LAKEHOUSE_ENV + ", else ./lakehouse.")
  String lakehouse;

  @Option(names = "--master", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "Spark master (local[*], local-cluster[2,1,2048], spark://host:7077, yarn, k8s://...). "
          + "Default: what spark-submit set, else local[*].")
  String master;

  @Option(names = "--profile", scope = ScopeType.INHERIT, paramLabel = "NAME|FILE",
      description = "Spark property profile: local, cluster, gpu (conf/NAME.properties) or a file path. "
          + "Default: local when run from bin/replaylake, none under spark-submit.")
  String profile;

  @Option(names = "--conf", scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE",
      description = "Spark property, repeatable; overrides the profile.")
  Map<String, String> conf = new LinkedHashMap<>();

  private SparkSession spark;
  private Lakehouse opened;

  public String lakehouseUri() {
    if (lakehouse != null) {
      return lakehouse;
    }
    String env = System.getenv(LAKEHOUSE_ENV);
    return env != null && !env.isBlank() ? env : Lakehouse.DEFAULT_BASE;
  }

  Path profilePath() {
    String name = profile;
    String home = System.getenv(HOME_ENV);
    if (name == null) {
      if (home == null || System.getProperty("spark.master") != null) {
        return null;
      }
      name = "local";
    }
    Path direct = Path.of(name);
    if (name.endsWith(".properties") || name.contains("/")) {
      if (!Files.isRegularFile(direct)) {
        throw Errors.invalidOption("--profile", name, "no such file");
      }
      return direct;
    }
    if (home == null) {
      throw Errors.invalidOption("--profile", name,
          "named profiles live in $" + HOME_ENV + "/conf; give a file path instead");
    }
    Path named = Path.of(home, "conf", name + ".properties");
    if (!Files.isRegularFile(named)) {
      throw Errors.invalidOption("--profile", name, "no such profile: " + named);
    }
    return named;
  }

  /** The session, created on first use. */
  public synchronized SparkSession spark(String appName) {
    if (spark == null) {
      spark = SparkSessions.create(new SparkSessions.Options("replaylake " + appName, master, profilePath(), conf));
    }
    return spark;
  }

  /** The lakehouse, opened (and created or validated) on first use. */
  public synchronized Lakehouse lakehouse(String appName) {
    if (opened == null) {
      opened = Lakehouse.open(spark(appName), lakehouseUri());
    }
    return opened;
  }

  public synchronized void close() {
    if (spark != null) {
      spark.stop();
      spark = null;
      opened = null;
    }
  }
}
