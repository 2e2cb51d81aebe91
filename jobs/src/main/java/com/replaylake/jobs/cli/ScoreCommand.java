package com.replaylake.jobs.cli;

import com.replaylake.jobs.score.RewardSpec;
import com.replaylake.jobs.score.ScoreJob;
import com.replaylake.schemas.Errors;
import com.replaylake.udfs.advantage.Estimator;
import com.replaylake.udfs.advantage.GroupAdvantage;
import com.replaylake.udfs.verify.VerifierConfig;
import com.replaylake.udfs.verify.VerifyMode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake score}: rollouts of one (run, version) into the experiences replay table. */
@Command(name = "score", 
    description = {
        "Score the rollouts of one (run, version): verifiable rewards, group advantages, written to experiences",
        "(replacing that run and version: reruns never duplicate rows) with a summary row in score_metrics."})
public final class ScoreCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;

  // --version is the policy version here, so only --help comes from picocli
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
  @Spec CommandSpec spec;

  @Option(names = "--run", required = true, paramLabel = "RUN", description = "Run id.")
  String run;

  @Option(names = "--version", required = true, paramLabel = "V", description = "Policy version whose rollouts to score, or 'latest'.")
  String versionArg;

  @Option(names = "--estimator", defaultValue = "grpo", paramLabel = "NAME",
      description = "grpo, dr_grpo, rloo or reinforce_pp (default: ${DEFAULT-VALUE}).")
  String estimator;

  @Option(names = "--reward", defaultValue = "math", paramLabel = "SPEC",
      description = "Reward terms summed into reward: math, math+format, math+overlong, math+format+overlong "
          + "(default: ${DEFAULT-VALUE}).")
  String reward;

  @Option(names = "--epsilon", defaultValue = "1e-6", description = "Added to the group std (default: ${DEFAULT-VALUE}).")
  double epsilon;

  @Option(names = "--filter-zero-variance", defaultValue = "false",
      description = "Drop groups whose rewards are all equal (DAPO dynamic sampling; default: ${DEFAULT-VALUE}).")
  boolean filterZeroVariance;

  @Option(names = "--expected-group-size", defaultValue = "0", paramLabel = "G",
      description = "Samples per prompt asked of the rollout job; smaller groups are counted as incomplete (0 = unknown).")
  int expectedGroupSize;

  @Option(names = "--mode", defaultValue = "strict", description = "Verifier mode: strict or lenient (last-number fallback).")
  String mode;

  @Option(names = "--verify-timeout-ms", defaultValue = "2000", description = "Time bound per check (default: ${DEFAULT-VALUE}).")
  long timeoutMillis;

  @Option(names = "--max-response-length", defaultValue = "0", paramLabel = "TOKENS",
      description = "Overlong penalty L_max (0 = each rollout's max_new_tokens).")
  int maxResponseLength;

  @Option(names = "--overlong-buffer", defaultValue = "0", paramLabel = "TOKENS",
      description = "Overlong penalty L_cache (0 = L_max / 5).")
  int overlongBuffer;

  /** The verifier settings of --mode and --verify-timeout-ms (shared with evaluate). */
  static VerifierConfig verifierConfig(String mode, long timeoutMillis) {
    try {
      return VerifierConfig.of(VerifyMode.parse(mode)).withTimeoutMillis(timeoutMillis);
    } catch (IllegalArgumentException e) {
      throw Errors.invalidOption("--mode/--verify-timeout-ms", mode + "/" + timeoutMillis, e.getMessage());
    }
  }

  @Override
  public Integer call() {
    Estimator est;
    try {
      est = Estimator.parse(estimator);
    } catch (IllegalArgumentException e) {
      throw Errors.invalidOption("--estimator", estimator, e.getMessage());
    }
    GroupAdvantage.Options advantage;
    try {
      advantage = new GroupAdvantage.Options(est, epsilon, filterZeroVariance, expectedGroupSize);
    } catch (IllegalArgumentException e) {
      throw Errors.invalidOption("--epsilon/--expected-group-size", epsilon + "/" + expectedGroupSize, e.getMessage());
    }
    VerifierConfig verifier = verifierConfig(mode, timeoutMillis);
    RewardSpec rewardSpec = RewardSpec.parse(reward);
    if (versionArg.matches("-?\\d+")) { // bad options fail before Spark starts
      new ScoreJob.Options(run, Integer.parseInt(versionArg), advantage, rewardSpec, verifier, maxResponseLength,
          overlongBuffer);
    }
    var lakehouse = parent.global.lakehouse("score");
    int version = VersionArgs.version(lakehouse, run, versionArg);
    ScoreJob.Options options = new ScoreJob.Options(run, version, advantage, rewardSpec, verifier,
        maxResponseLength, overlongBuffer);
    PrintWriter out = spec.commandLine().getOut();
    ScoreJob.Result r = ScoreJob.run(lakehouse, options, m -> out.println("  " + m));
    out.printf("scored run %s version %d with %s, reward %s: %d samples in %d groups, %d rows written (%.1f s)%n",
        r.runId(), r.version(), r.estimator(), r.rewardSpec(), r.samples(), r.groups(), r.rowsWritten(), r.seconds());
    out.printf("  mean reward %s, pass rate %s, null rewards %d, zero-variance groups %d (%d samples dropped), "
            + "incomplete groups %d%n",
        r.meanReward() == null ? "n/a" : String.format("%.4f", r.meanReward()),
        r.passRate() == null ? "n/a" : String.format("%.4f", r.passRate()),
        r.nullRewards(), r.zeroVarianceGroups(), r.zeroVarianceSamplesDropped(), r.incompleteGroups());
    out.println("  statuses " + r.statusCounts());
    return 0;
  }
}
