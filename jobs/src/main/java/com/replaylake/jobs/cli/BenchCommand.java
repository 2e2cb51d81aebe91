package com.replaylake.jobs.cli;

import com.replaylake.jobs.bench.AdvantageBenchmark;
import com.replaylake.schemas.Errors;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake bench}: the benchmarks whose numbers go in docs/PERFORMANCE.md. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Run a benchmark and print its numbers (see docs/PERFORMANCE.md).",
        "advantages: rows/s of the group-advantage stage for every estimator on synthetic rows."})
public final class BenchCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "advantages")
  String name;

  @Option(names = "--rows", defaultValue = "1000000", description = "Synthetic rows (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(names = "--group-size", defaultValue = "8", description = "Samples per group (default: ${DEFAULT-VALUE}).")
  int groupSize;

  @Option(names = "--repeats", defaultValue = "3", description = "Runs per estimator; the best is reported (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Override
  public Integer call() {
    if (!name.equals("advantages")) {
      throw Errors.invalidOption("bench", name, "known benchmarks: advantages");
    }
    if (rows < 1 || groupSize < 1 || repeats < 1) {
      throw Errors.invalidOption("--rows/--group-size/--repeats", rows + "/" + groupSize + "/" + repeats, "must be positive");
    }
    PrintWriter out = spec.commandLine().getOut();
    AdvantageBenchmark.run(parent.global.spark("bench"), rows, groupSize, repeats, out::println);
    return 0;
  }
}
