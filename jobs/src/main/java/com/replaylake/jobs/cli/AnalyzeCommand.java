package com.replaylake.jobs.cli;

import com.replaylake.jobs.analyze.AnalyzeJob;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake analyze}: parameter-level dynamics between two versions (param_dynamics). */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = {"Parameter dynamics between two policy versions (The Path Not Taken, ALGORITHMS.md section 5):",
        "bf16 update sparsity, spectral drift, principal angles, M_princ/M_low overlaps and, with a second run, the",
        "Jaccard of the change masks; one Spark task per weight matrix; rows replace earlier ones of the same",
        "(run, from, to, compare) in param_dynamics."})
public final class AnalyzeCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--run", required = true, description = "Run id.") String run;
  @Option(names = "--from", required = true, description = "Base version W0.") int from;
  @Option(names = "--to", required = true, description = "Compared version W1.") int to;
  @Option(names = "--compare-run", description = "Second run for cross-run locality (its change mask is taken against --run's --from version).") String compareRun;
  @Option(names = "--compare-to", description = "Version of the second run.") Integer compareTo;
  @Option(names = "--k", defaultValue = "" + AnalyzeJob.K_DEFAULT, description = "k of the top-k singular subspaces, clamped to min(rows, cols) (default: ${DEFAULT-VALUE}).") int k;
  @Option(names = "--alpha", defaultValue = "" + AnalyzeJob.ALPHA_DEFAULT, description = "Mask fraction of M_princ and M_low (default: ${DEFAULT-VALUE}).") double alpha;
  @Option(names = "--tensors", defaultValue = ".*", description = "Only 2-D tensors whose name matches this regular expression (default: ${DEFAULT-VALUE}).") String tensors;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    AnalyzeJob.Options options = new AnalyzeJob.Options(run, from, to, compareRun, compareTo, k, alpha, tensors);
    AnalyzeJob.Result r = AnalyzeJob.run(parent.global.lakehouse("analyze"), options, m -> out.println("  " + m));
    var m = r.model();
    out.printf(Locale.ROOT, "analyzed run %s v%d -> v%d: %d tensors, %d layers, %d rows in param_dynamics, %.1f s"
            + " (%.1f s in tasks)%n", r.runId(), r.fromVersion(), r.toVersion(), r.tensors(), r.layers(), r.rowsWritten(),
        r.seconds(), r.taskSeconds());
    out.printf(Locale.ROOT, "  whole model: update sparsity %.4f, spectral drift %.4g, max principal angle left %.4g"
            + " right %.4g rad, overlap M_princ %.4f M_low %.4f (baseline %.2f)%s%n", m.updateSparsity(),
        m.spectralDrift(), m.leftAngleMaxOrNaN(), m.rightAngleMaxOrNaN(), m.principalOverlapRatio(),
        m.lowOverlapRatio(), alpha, compareRun == null ? ""
            : String.format(Locale.ROOT, ", Jaccard %.4f (independent %.4f)", m.jaccard(), m.jaccardBaseline()));
    return 0;
  }
}
