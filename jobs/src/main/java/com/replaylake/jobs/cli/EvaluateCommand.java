package com.replaylake.jobs.cli;

import com.replaylake.jobs.evaluate.EvaluateJob;
import com.replaylake.udfs.verify.VerifierConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake evaluate}: greedy pass@1 of one policy version on a held-out split. */
@Command(name = "evaluate",
    description = {"Evaluate one policy version: greedy decoding of a dataset split on the executors, the verifier,",
        "and one evaluations row (n, n_correct, pass_at_1, mean response length) replacing any earlier one."})
public final class EvaluateCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  // --version is the policy version here, so only --help comes from picocli
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--run", required = true, description = "Run id.") String run;
  @Option(names = "--version", required = true, description = "Policy version to evaluate, or 'latest'.") String versionArg;
  @Option(names = "--dataset", required = true, description = "Dataset of the prompts.") String dataset;
  @Option(names = "--split", defaultValue = "test", description = "Split (default: ${DEFAULT-VALUE}).") String split;
  @Option(names = "--limit", defaultValue = "0", description = "Evaluate the first N prompts by prompt id; 0 = all (default: ${DEFAULT-VALUE}).") int limit;
  @Option(names = "--max-new-tokens", defaultValue = "64", description = "Response length limit (default: ${DEFAULT-VALUE}).") int maxNewTokens;
  @Option(names = "--prompts-per-task", defaultValue = "32", description = "Prompts per Spark task (default: ${DEFAULT-VALUE}).") int promptsPerTask;
  @Option(names = "--max-batch", defaultValue = "128", description = "Sequences per generation batch (default: ${DEFAULT-VALUE}).") int maxBatch;
  @Option(names = "--prompt-template", defaultValue = "{prompt}\n", description = "Plain template when the model has no chat template.") String promptTemplate;
  @Option(names = "--mode", defaultValue = "strict", description = "Verifier mode: strict or lenient (default: ${DEFAULT-VALUE}).") String mode;
  @Option(names = "--verify-timeout-ms", defaultValue = "2000", description = "Time bound per check (default: ${DEFAULT-VALUE}).") long timeoutMillis;

  @Override
  public Integer call() {
    VerifierConfig verifier = ScoreCommand.verifierConfig(mode, timeoutMillis);
    var out = spec.commandLine().getOut();
    var lakehouse = parent.global.lakehouse("evaluate");
    int version = VersionArgs.version(lakehouse, run, versionArg);
    EvaluateJob.Result r = EvaluateJob.run(lakehouse, new EvaluateJob.Options(run, version,
        dataset, split, limit, maxNewTokens, promptsPerTask, maxBatch, promptTemplate, verifier), m -> out.println("  " + m));
    out.printf("evaluated run %s version %d on %s/%s: pass@1 %.4f (%d of %d), mean response length %.1f tokens, %.1f s%n",
        r.runId(), r.version(), r.dataset(), r.split(), r.passAt1(), r.correct(), r.n(), r.meanResponseLength(), r.seconds());
    return 0;
  }
}
