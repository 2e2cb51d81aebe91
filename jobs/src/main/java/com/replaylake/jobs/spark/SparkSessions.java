package com.replaylake.jobs.spark;

import com.replaylake.schemas.Errors;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession of a job. Precedence, highest first: {@code --master} and {@code
 * --conf} on the command line, then the profile file ({@code --profile}), then what spark-submit
 * already put in the JVM's system properties, then built-in defaults ({@code local[*]}, Delta).
 */
public final class SparkSessions {
  private SparkSessions() {}

  /** The Delta settings every ReplayLake session needs. */
  public static final Map<String, String> DELTA = Map.of(
      "spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension",
      "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");

  /**
   * System property (set by bin/replaylake) naming the shaded application jar. When the master runs
   * executors in other JVMs and spark.jars is not set (spark-submit sets it), the session ships it
   * to them, so {@code bin/replaylake --master local-cluster[...]|spark://...} works like spark-submit.
   */
  public static final String APP_JAR_PROPERTY = "replaylake.app.jar";

  /** True for masters whose executors are other JVMs: everything but {@code local}, {@code local[...]}. */
  static boolean needsAppJar(String master) {
    return !(master.equals("local") || master.startsWith("local["));
  }

  /** Options of the session, as given on the command line. */
  public record Options(String appName, String master, Path profile, Map<String, String> conf) {
    public Options {
      conf = conf == null ? Map.of() : Map.copyOf(conf);
    }
  }

  public static SparkSession create(Options options) {
    SparkConf conf = new SparkConf(true); // loads spark.* system properties (spark-submit)
    Map<String, String> settings = new LinkedHashMap<>();
    if (options.profile() != null) {
      settings.putAll(readProfile(options.profile()));
    }
    settings.putAll(options.conf());
    settings.forEach(conf::set);
    DELTA.forEach((k, v) -> {
      if (!conf.contains(k)) {
        conf.set(k, v);
      }
    });
    if (options.master() != null) {
      conf.setMaster(options.master());
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    String appJar = System.getProperty(APP_JAR_PROPERTY);
    if (appJar != null && !appJar.isBlank() && needsAppJar(conf.get("spark.master")) && !conf.contains("spark.jars")) {
      conf.set("spark.jars", appJar); // executors in other JVMs load our classes from it
    }
    if (!conf.contains("spark.app.name")) {
      conf.setAppName(options.appName());
    }
    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
    if (!conf.contains("spark.log.level")) {
      spark.sparkContext().setLogLevel("WARN");
    }
    return spark;
  }

  /** Reads a spark-defaults style file: {@code key value} or {@code key=value}, # comments. */
  public static Map<String, String> readProfile(Path file) {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(reader);
    } catch (IOException e) {
      throw Errors.unreadableFile(file.toString(), e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : props.stringPropertyNames()) {
      String value = props.getProperty(key).trim();
      if (!key.startsWith("spark.") && !key.startsWith("replaylake.")) {
        throw Errors.invalidConfig(file.toString(), key, value,
            "profile files hold only spark.* (and replaylake.*) properties");
      }
      out.put(key, value);
    }
    return out;
  }
}
