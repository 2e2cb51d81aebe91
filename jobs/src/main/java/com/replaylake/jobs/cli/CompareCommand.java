package com.replaylake.jobs.cli;

import com.replaylake.jobs.loop.CompareJob;
import com.replaylake.jobs.loop.RunConfig;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake compare}: grpo vs remix on the same rollout budget from the same start. */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {"Run on-policy grpo and off-policy remix with the same fresh-rollout budget from one shared",
        "SFT start (runs <prefix>-start, <prefix>-grpo, <prefix>-remix) and report, per algorithm, the fresh rollouts",
        "consumed to reach the target pass@1 and the final pass@1 (<lakehouse>/reports/compare-<prefix>/)."})
public final class CompareCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Run config (as for run); run.id is replaced by the prefix.") String config;
  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key, repeatable.") Map<String, String> set = new LinkedHashMap<>();
  @Option(names = "--prefix", defaultValue = "compare", description = "Run id prefix (default: ${DEFAULT-VALUE}).") String prefix;
  @Option(names = "--target", defaultValue = "NaN", description = "Target held-out pass@1 (default: the start's pass@1 + 0.10).") double target;
  @Option(names = {"-q", "--quiet"}, description = "Only the summary lines.") boolean quiet;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    RunConfig cfg = RunConfig.load(config, set);
    CompareJob.Result r = CompareJob.run(parent.global.lakehouse("compare"), cfg, prefix, target, m -> {
      if (!quiet) {
        out.println(m);
        out.flush();
      }
    }, it -> {
      out.println(RunCommand.summaryLine(it));
      out.flush();
    });
    r.lines().forEach(out::println);
    out.println("compare report: " + r.reportDir());
    return 0;
  }
}
