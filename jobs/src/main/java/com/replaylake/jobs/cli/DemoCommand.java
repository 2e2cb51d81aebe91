package com.replaylake.jobs.cli;

import com.replaylake.jobs.ingest.IngestJob;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.TableContract;
import com.replaylake.schemas.Tables;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code replaylake demo}: the embedded default end to end. Today: create the lakehouse, ingest
 * the bundled datasets, list the tables and query them. The RL loop joins it as it lands.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the embedded default: create ./lakehouse, ingest the bundled GSM8K and MATH-500 samples, "
        + "list the tables and query them with Spark SQL.")
public final class DemoCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    long start = System.nanoTime();
    out.println("[1/3] opening lakehouse " + parent.global.lakehouseUri());
    Lakehouse lakehouse = parent.global.lakehouse("demo");
    out.println("[2/3] ingesting the bundled samples");
    for (IngestJob.Options sample : IngestJob.SAMPLES) {
      IngestJob.Result r = IngestJob.run(lakehouse, sample);
      out.printf("      %-40s %5d records (%d new, %d updated, %d unchanged)%n",
          r.path(), r.records(), r.inserted(), r.updated(), r.unchanged());
    }
    out.println("[3/3] tables");
    List<List<String>> rows = new ArrayList<>();
    for (TableContract contract : Tables.ALL) {
      rows.add(List.of(contract.name(), Long.toString(lakehouse.read(contract).count()),
          Long.toString(lakehouse.latestVersion(contract) + 1), lakehouse.location(contract)));
    }
    TablePrinter.print(out, OutputFormat.table, List.of("table", "rows", "versions", "location"), rows);
    String query = "SELECT dataset, split, count(*) AS prompts FROM prompts GROUP BY dataset, split ORDER BY dataset";
    out.println("replaylake sql \"" + query + "\"");
    List<List<String>> result = new ArrayList<>();
    for (Row row : lakehouse.spark().sql(query).collectAsList()) {
      result.add(List.of(row.getString(0), row.getString(1), Long.toString(row.getLong(2))));
    }
    TablePrinter.print(out, OutputFormat.table, List.of("dataset", "split", "prompts"), result);
    out.printf("demo finished in %.1f s; lakehouse at %s%n", (System.nanoTime() - start) / 1e9, lakehouse.base());
    out.println("next: bin/replaylake sql \"SELECT prompt, gold_answer FROM prompts WHERE dataset = 'math' LIMIT 5\"");
    return 0;
  }
}
