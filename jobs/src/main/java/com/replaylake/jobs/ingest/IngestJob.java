package com.replaylake.jobs.ingest;

import static com.replaylake.schemas.Columns.*;

import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Ingests a dataset file into {@code prompts}: parses and validates every record first, then
 * MERGEs on {@code prompt_id} in one Delta commit. Bad input stops before anything is written;
 * re-ingesting the same file changes no row.
 */
public final class IngestJob {
  private IngestJob() {}

  /**
   * @param dataset dataset name (required except for {@code verl}, where it defaults to each
   *     row's data_source)
   * @param split split name; null infers it (see {@link #inferSplit})
   */
  public record Options(String dataset, SourceFormat format, String path, String split, FieldMapping mapping) {
    public Options {
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(path, "path");
      if (dataset == null && format != SourceFormat.VERL) {
        throw Errors.invalidOption("--dataset", "(none)", "a dataset name is required for --format " + format.cliName());
      }
      if (dataset != null && !dataset.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
        throw Errors.invalidOption("--dataset", dataset, "use letters, digits, '_', '-' or '.'");
      }
      if (split != null && !split.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
        throw Errors.invalidOption("--split", split, "use letters, digits, '_', '-' or '.'");
      }
    }
  }

  /** What one ingest did. */
  public record Result(String path, long records, long inserted, long updated, long unchanged, long tableVersion,
      Map<String, Long> recordsByDatasetSplit) {}

  /** The bundled sample datasets (GSM8K test, MATH-500). */
  public static final List<Options> SAMPLES = List.of(
      new Options("gsm8k", SourceFormat.GSM8K, "classpath:samples/gsm8k_test.jsonl", "test", null),
      new Options("math", SourceFormat.MATH, "classpath:samples/math500_test.jsonl", "test", null));

  public static Result run(Lakehouse lakehouse, Options options) {
    return run(lakehouse, options, message -> {});
  }

  public static Result run(Lakehouse lakehouse, Options options, Consumer<String> progress) {
    long start = System.nanoTime();
    SparkSession spark = lakehouse.spark();
    String split = options.split() != null || options.format() == SourceFormat.VERL
        ? options.split() : inferSplit(options.path());
    PromptMapper mapper = new PromptMapper(options.format(), options.dataset(), split, options.mapping());

    List<PromptRecord> records = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    Map<String, Long> counts = new TreeMap<>();
    if (options.format().lineOriented()) {
      RawRecords.readJsonl(spark, options.path(), (at, node) -> collect(mapper.map(at, node), records, seen, counts, at));
    } else {
      RawRecords.readParquet(spark, options.path(), (at, node) -> collect(mapper.map(at, node), records, seen, counts, at));
    }
    progress.accept(String.format("parsed %d records from %s in %.1f s", records.size(), options.path(), seconds(start)));
    long mergeStart = System.nanoTime();

    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>(records.size());
    for (PromptRecord r : records) {
      rows.add(RowFactory.create(r.promptId(), r.dataset(), r.split(), r.sourceId(), r.prompt(), r.goldAnswer(),
          r.referenceResponse(), CollectionConverters.asScala(r.metadata()), now));
    }
    Dataset<Row> source = spark.createDataFrame(rows, Tables.PROMPTS.schema());
    long version = merge(lakehouse, source);
    progress.accept(String.format("merged into prompts in %.1f s", seconds(mergeStart)));
    Row metrics = lakehouse.delta(Tables.PROMPTS).history(1).select("operationMetrics").head();
    Map<String, String> m = CollectionConverters.asJava(metrics.<scala.collection.Map<String, String>>getAs(0));
    long inserted = Long.parseLong(m.getOrDefault("numTargetRowsInserted", "0"));
    long updated = Long.parseLong(m.getOrDefault("numTargetRowsUpdated", "0"));
    return new Result(options.path(), records.size(), inserted, updated, records.size() - inserted - updated, version, counts);
  }

  private static void collect(PromptRecord record, List<PromptRecord> records, Map<String, String> seen,
      Map<String, Long> counts, RecordLocation at) {
    String previous = seen.putIfAbsent(record.promptId(), at.toString());
    if (previous != null) {
      throw at.error((String) null, "duplicate source id '" + record.sourceId() + "' of dataset " + record.dataset()
          + " (first seen at " + previous + ")");
    }
    records.add(record);
    counts.merge(record.dataset() + "/" + record.split(), 1L, Long::sum);
  }

  /** One MERGE commit: insert new prompts, update changed ones, leave identical ones alone. */
  private static long merge(Lakehouse lakehouse, Dataset<Row> source) {
    String unchanged = String.join(" AND ",
        same(PROMPT), same(GOLD_ANSWER), same(REFERENCE_RESPONSE), same(SPLIT), same(SOURCE_ID),
        "to_json(array_sort(map_entries(t." + METADATA + "))) <=> to_json(array_sort(map_entries(s." + METADATA + ")))");
    lakehouse.delta(Tables.PROMPTS).as("t")
        .merge(source.as("s"), "t." + DATASET + " = s." + DATASET + " AND t." + PROMPT_ID + " = s." + PROMPT_ID)
        .whenMatched("NOT (" + unchanged + ")").updateAll()
        .whenNotMatched().insertAll()
        .execute();
    return lakehouse.latestVersion(Tables.PROMPTS);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static String same(String column) {
    return "t." + column + " <=> s." + column;
  }

  /** test / validation / train from the file name; train when it says nothing. */
  public static String inferSplit(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    if (name.contains("test")) {
      return "test";
    }
    if (name.contains("val") || name.contains("dev")) {
      return "validation";
    }
    return "train";
  }
}
