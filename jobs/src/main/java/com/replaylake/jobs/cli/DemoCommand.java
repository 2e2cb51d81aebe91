package com.replaylake.jobs.cli;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.functions.col;

import com.replaylake.jobs.analyze.AnalyzeJob;
import com.replaylake.jobs.loop.RunConfig;
import com.replaylake.jobs.loop.RunLoop;
import com.replaylake.jobs.report.ReportJob;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code replaylake demo}: the embedded default end to end. Creates the lakehouse, generates and
 * ingests the synthetic arithmetic task, registers the tiny policy, SFT warm start on a few
 * demonstrations, RL with ReMix on answer-only prompts, held-out evaluation, and the report.
 * The configuration is the bundled {@code demo.properties} (same keys as {@code run}); rerunning
 * resumes or, when finished, only rewrites the report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run the embedded default: create ./lakehouse, generate the synthetic arith task (3-digit addition,",
        "little-endian digits), SFT warm start of the tiny policy stopped early at a mediocre level, RL with ReMix",
        "on 8192 answer-only prompts, held-out pass@1 evaluations, parameter dynamics, and an HTML report with plots.",
        "About 6-7 minutes on 2 cores. Keys: run --print-config."})
public final class DemoCommand implements Callable<Integer> {
  /** The bundled demo configuration. */
  public static final String CONFIG = "classpath:demo.properties";

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key of the demo config (e.g. run.iterations=10).")
  Map<String, String> set = new LinkedHashMap<>();
  @Option(names = {"-q", "--quiet"}, description = "Only the stage headers and summary lines.") boolean quiet;

  /** Runs analyze for (from, to) unless param_dynamics already has its rows. */
  static void analyzeIfMissing(Lakehouse lakehouse, String run, int from, int to, PrintWriter out) {
    if (from == to) {
      return;
    }
    boolean present = !lakehouse.read(Tables.PARAM_DYNAMICS).where(col(RUN_ID).equalTo(run)
        .and(col(FROM_VERSION).equalTo(from)).and(col(TO_VERSION).equalTo(to)).and(col(COMPARE_RUN_ID).isNull()))
        .limit(1).collectAsList().isEmpty();
    if (present) {
      return;
    }
    AnalyzeJob.Result a = AnalyzeJob.run(lakehouse, new AnalyzeJob.Options(run, from, to, null, null,
        AnalyzeJob.K_DEFAULT, AnalyzeJob.ALPHA_DEFAULT, ".*"), m -> {});
    out.printf(Locale.ROOT, "      v%d -> v%d: %d matrices, %.1f s%n", from, to, a.tensors(), a.seconds());
    out.flush();
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    long start = System.nanoTime();
    RunConfig cfg = RunConfig.load(CONFIG, set);
    String run = cfg.string("run.id");
    out.println("[1/4] opening lakehouse " + parent.global.lakehouseUri());
    out.flush();
    Lakehouse lakehouse = parent.global.lakehouse("demo");
    out.printf(Locale.ROOT, "[2/4] run %s: synthetic task arith (%s-digit addition), tiny policy, SFT %s steps on %s "
            + "demonstrations, then %s RL iterations with %s (%s prompts x %s samples each)%n", run,
        cfg.string("task.digits"), cfg.string("sft.steps"), cfg.string("task.sft_examples"),
        cfg.string("run.iterations"), cfg.string("learner.algorithm"), cfg.string("rollout.prompts_per_step"),
        cfg.string("rollout.samples_per_prompt"));
    out.flush();
    RunLoop.Result r = RunCommand.execute(lakehouse, cfg, out, quiet);
    out.println("[3/4] parameter dynamics: SFT vs base, RL vs SFT (analyze)");
    out.flush();
    analyzeIfMissing(lakehouse, run, 0, r.startVersion(), out);
    analyzeIfMissing(lakehouse, run, r.startVersion(), r.finalVersion(), out);
    out.println("[4/4] report");
    ReportJob.Result report = ReportJob.run(lakehouse, run, null, ReportSections.all());
    report.summary().forEach(out::println);
    out.printf(Locale.ROOT, "held-out pass@1: %s after SFT -> %s after RL (%d RL versions); demo finished in "
            + "%.1f s%n", RunCommand.fmt(r.startPassAt1()), RunCommand.fmt(r.finalPassAt1()),
        r.finalVersion() - r.startVersion(), (System.nanoTime() - start) / 1e9);
    out.println("report: " + report.indexUri());
    out.println("next: bin/replaylake sql \"SELECT policy_version, pass_at_1 FROM evaluations WHERE run_id = '" + run
        + "' ORDER BY policy_version\"");
    out.println("      bin/replaylake sql \"SELECT policy_version, avg(reward), count(*) FROM experiences GROUP BY 1 ORDER BY 1\"");
    return 0;
  }
}
