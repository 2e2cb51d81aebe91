package com.replaylake.jobs.cli;

import com.replaylake.schemas.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake sql "<query>"}: Spark SQL over the registered lakehouse tables. */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = "Run Spark SQL over the lakehouse tables (prompts, rollouts, experiences, policy_versions, "
        + "learner_metrics, evaluations, param_dynamics) and print the result.")
public final class SqlCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "QUERY", description = "The SQL statement.")
  String query;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Option(names = "--limit", defaultValue = "1000",
      description = "Print at most this many rows (default: ${DEFAULT-VALUE}; 0 = all).")
  int limit;

  @Override
  public Integer call() {
    if (limit < 0) {
      throw Errors.invalidOption("--limit", Integer.toString(limit), "must be 0 (all) or positive");
    }
    parent.global.lakehouse("sql");
    SparkSession spark = parent.global.spark("sql");
    Dataset<Row> result;
    List<Row> rows;
    boolean truncated;
    try {
      result = spark.sql(query);
      if (format == OutputFormat.json) {
        // Spark's own JSON keeps numbers, arrays and maps typed
        List<String> lines = (limit == 0 ? result : result.limit(limit)).toJSON().collectAsList();
        lines.forEach(spec.commandLine().getOut()::println);
        spec.commandLine().getOut().flush();
        return 0;
      }
      List<Row> fetched = (limit == 0 ? result : result.limit(limit + 1)).collectAsList();
      truncated = limit > 0 && fetched.size() > limit;
      rows = truncated ? fetched.subList(0, limit) : fetched;
    } catch (Exception e) { // Spark's AnalysisException is checked in Java's eyes but thrown unchecked
      throw Errors.queryFailed(query, e);
    }
    List<String> header = new ArrayList<>();
    for (StructField f : result.schema().fields()) {
      header.add(f.name());
    }
    List<List<String>> cells = new ArrayList<>();
    for (Row row : rows) {
      List<String> line = new ArrayList<>();
      for (int i = 0; i < row.length(); i++) {
        line.add(row.isNullAt(i) ? null : render(row.get(i)));
      }
      cells.add(line);
    }
    TablePrinter.print(spec.commandLine().getOut(), format, header, cells);
    if (truncated) {
      spec.commandLine().getErr().println("(showing the first " + limit + " rows; use --limit 0 for all)");
    }
    return 0;
  }

  private static String render(Object value) {
    if (value instanceof scala.collection.Seq<?> seq) {
      return scala.jdk.javaapi.CollectionConverters.asJava(seq).toString();
    }
    if (value instanceof scala.collection.Map<?, ?> map) {
      return scala.jdk.javaapi.CollectionConverters.asJava(map).toString();
    }
    return String.valueOf(value);
  }
}
