package com.replaylake.jobs.cli;

import com.replaylake.jobs.report.ReportJob;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake report}: HTML page with plots and a text summary of one run. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Write an HTML report (index.html with PNG plots: pass@1, reward, KL, entropy, response length,",
        "clip fraction, fresh vs replayed data per version, SFT loss, pass@1 vs rollouts; parameter dynamics) and",
        "summary.txt for a run, to <lakehouse>/reports/<run>/ or --out."})
public final class ReportCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--run", required = true, description = "Run id.") String run;
  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (any Hadoop FS URI; default <lakehouse>/reports/<run>).") String out;

  @Override
  public Integer call() {
    var w = spec.commandLine().getOut();
    ReportJob.Result r = ReportJob.run(parent.global.lakehouse("report"), run, out, ReportSections.all());
    r.summary().forEach(w::println);
    w.println("report: " + r.indexUri() + " (" + r.plots().size() + " plots)");
    return 0;
  }
}
