package com.replaylake.jobs.cli;

import com.replaylake.jobs.bench.AdvantageBenchmark;
import com.replaylake.jobs.bench.RolloutBenchmark;
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
        "advantages: rows/s of the group-advantage stage for every estimator on synthetic rows.",
        "rollout: tokens/s of the rollout job vs the raw sampler on the same batch (Spark overhead ratio)."})
public final class BenchCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "advantages or rollout")
  String name;

  @Option(names = "--rows", defaultValue = "1000000", description = "Synthetic rows (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(names = "--group-size", defaultValue = "8", description = "Samples per group (default: ${DEFAULT-VALUE}).")
  int groupSize;

  @Option(names = "--repeats", defaultValue = "3", description = "Runs per estimator; the best is reported (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--prompts", defaultValue = "16", description = "rollout: prompts (default: ${DEFAULT-VALUE}).")
  int prompts;

  @Option(names = {"--samples-per-prompt", "-G"}, defaultValue = "8", description = "rollout: G (default: ${DEFAULT-VALUE}).")
  int samplesPerPrompt;

  @Option(names = "--max-new-tokens", defaultValue = "32", description = "rollout: tokens per response (default: ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Override
  public Integer call() {
    if (name.equals("rollout")) {
      RolloutBenchmark.run(parent.global.lakehouse("bench"), prompts, samplesPerPrompt, maxNewTokens,
          prompts * samplesPerPrompt, spec.commandLine().getOut()::println);
      return 0;
    }
    if (!name.equals("advantages")) {
      throw Errors.invalidOption("bench", name, "known benchmarks: advantages, rollout");
    }
    if (rows < 1 || groupSize < 1 || repeats < 1) {
      throw Errors.invalidOption("--rows/--group-size/--repeats", rows + "/" + groupSize + "/" + repeats, "must be positive");
    }
    PrintWriter out = spec.commandLine().getOut();
    AdvantageBenchmark.run(parent.global.spark("bench"), rows, groupSize, repeats, out::println);
    return 0;
  }
}
