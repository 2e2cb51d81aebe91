package com.replaylake.jobs.cli;

import com.replaylake.jobs.loop.RunConfig;
import com.replaylake.jobs.loop.RunLoop;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake run}: the RLVR loop from one config file; resumes where a killed run stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the loop rollout -> score -> learn (-> evaluate every run.eval_every versions) for run.iterations",
        "iterations, after the synthetic task, base and SFT warm start when configured. Rerunning a killed or finished",
        "run continues from its last published version. Every key with its default: conf/run.properties, docs/CONFIG.md."})
public final class RunCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Run config (properties; classpath:NAME for a bundled one).") String config;
  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key, repeatable (e.g. run.iterations=10, learner.lr=1e-4).") Map<String, String> set = new LinkedHashMap<>();
  @Option(names = "--print-config", description = "Print every key with its default as a properties file and exit.") boolean printConfig;
  @Option(names = {"-q", "--quiet"}, description = "Only the summary lines.") boolean quiet;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (printConfig) {
      out.print(RunConfig.template());
      return 0;
    }
    RunConfig cfg = RunConfig.load(config, set);
    RunLoop.Result r = execute(parent.global.lakehouse("run " + cfg.string("run.id")), cfg, out, quiet);
    out.printf("run %s: versions %d -> %d in %.1f s; held-out pass@1 %s -> %s%n", r.runId(), r.startVersion(),
        r.finalVersion(), r.seconds(), fmt(r.startPassAt1()), fmt(r.finalPassAt1()));
    return 0;
  }

  /** Runs the loop printing progress and one summary line per iteration. */
  static RunLoop.Result execute(com.replaylake.schemas.Lakehouse lakehouse, RunConfig cfg, PrintWriter out, boolean quiet) {
    return RunLoop.run(lakehouse, cfg, m -> {
      if (!quiet) {
        out.println(m);
        out.flush();
      }
    }, it -> {
      out.println(summaryLine(it));
      out.flush();
    });
  }

  /** {@code [#####.....] 12/40 v12->v13 reward 0.41 pass@1 0.523 kl 0.0031 rollout 2345 tok/s 8.1 s (eta 3m40s)}. */
  static String summaryLine(RunLoop.Iteration it) {
    int width = 20;
    int filled = (int) Math.round(width * it.index() / (double) it.iterations());
    String bar = "#".repeat(filled) + ".".repeat(width - filled);
    double perIteration = it.seconds();
    long eta = Math.round(perIteration * (it.iterations() - it.index()));
    return String.format("[%s] %d/%d v%d->v%d reward %s pass@1 %s kl %.4f rollout %.0f tok/s %.1f s "
            + "(rollout %.1f, score %.1f, learn %.1f, eval %.1f) eta %dm%02ds", bar, it.index(), it.iterations(),
        it.fromVersion(), it.toVersion(), fmt(it.meanReward()), fmt(it.passAt1()), it.klBase(), it.tokensPerSecond(),
        it.seconds(), it.rolloutSeconds(), it.scoreSeconds(), it.learnSeconds(), it.evalSeconds(), eta / 60, eta % 60);
  }

  static String fmt(Double d) {
    return d == null || d.isNaN() ? "-" : String.format("%.3f", d);
  }
}
