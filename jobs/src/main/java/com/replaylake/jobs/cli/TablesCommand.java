package com.replaylake.jobs.cli;

import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.TableContract;
import com.replaylake.schemas.Tables;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake tables}: every table with its row count, Delta version and location. */
@Command(name = "tables", mixinStandardHelpOptions = true,
    description = "List the lakehouse tables: name, rows, Delta versions, location.")
public final class TablesCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Option(names = "--schema", paramLabel = "TABLE", description = "Print the columns of one table with their docs instead.")
  String schemaOf;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    if (schemaOf != null) {
      TableContract contract = Tables.byName(schemaOf).orElseThrow(() -> Errors.unknownTable(schemaOf));
      List<List<String>> rows = new ArrayList<>();
      for (var c : contract.columns()) {
        rows.add(List.of(c.name(), c.type().simpleString(), c.nullable() ? "yes" : "no",
            contract.partitionColumns().contains(c.name()) ? "yes" : "", c.doc()));
      }
      TablePrinter.print(out, format, List.of("column", "type", "nullable", "partition", "doc"), rows);
      return 0;
    }
    printListing(out, format, parent.global.lakehouse("tables"));
    return 0;
  }

  /** Every table with its row count, number of Delta versions and location. */
  static void printListing(PrintWriter out, OutputFormat format, Lakehouse lakehouse) {
    List<List<String>> rows = new ArrayList<>();
    for (TableContract contract : Tables.ALL) {
      long count = lakehouse.read(contract).count();
      long version = lakehouse.latestVersion(contract);
      rows.add(List.of(contract.name(), Long.toString(count), Long.toString(version + 1), lakehouse.location(contract)));
    }
    TablePrinter.print(out, format, List.of("table", "rows", "versions", "location"), rows);
  }
}
