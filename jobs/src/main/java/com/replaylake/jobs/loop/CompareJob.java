package com.replaylake.jobs.loop;

import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.jobs.report.Charts;
import com.replaylake.jobs.report.ReportFolder;
import com.replaylake.jobs.report.ReportJob;
import com.replaylake.policy.learn.LearnerConfig;
import com.replaylake.schemas.Lakehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code replaylake compare}: the same fresh-rollout budget with on-policy {@code grpo} and
 * off-policy {@code remix}, from one shared start. A run {@code <prefix>-start} gets the base and
 * the SFT warm start; runs {@code <prefix>-grpo} and {@code <prefix>-remix} register that start's
 * checkpoint as their version 0 and run the same number of iterations (same prompts per step, the
 * same prompt schedule and seeds), evaluated at the same versions. Reported per algorithm: fresh
 * rollouts consumed to first reach the target pass@1, the final pass@1, and wall time. Resumable
 * like {@code run}: rerunning continues each run where it stopped.
 */
public final class CompareJob {
  private CompareJob() {}

  public record Arm(String algorithm, String runId, Double startPassAt1, Double finalPassAt1,
      Long rolloutsToTarget, long freshRollouts, double seconds, SortedMap<Double, Double> curve) {}

  public record Result(String prefix, double target, List<Arm> arms, String reportDir, List<String> lines) {}

  public static final List<String> ALGORITHMS = List.of("grpo", "remix");

  /**
   * @param target pass@1 to reach; NaN = the start's pass@1 plus 0.10
   */
  public static Result run(Lakehouse lakehouse, RunConfig cfg, String prefix, double target, Consumer<String> log,
      Consumer<RunLoop.Iteration> summary) {
    long t0 = System.nanoTime();
    RunConfig startCfg = cfg.with(Map.of("run.id", prefix + "-start", "run.iterations", "0"));
    RunLoop.Result start = RunLoop.run(lakehouse, startCfg, log, summary);
    String startRun = prefix + "-start";
    int startVersion = PolicyVersions.latestVersion(lakehouse, startRun).orElseThrow();
    String checkpoint = PolicyVersions.checkpointUri(lakehouse, startRun, startVersion);
    double goal = Double.isNaN(target) ? (start.finalPassAt1() == null ? 0.1 : start.finalPassAt1() + 0.10) : target;
    log.accept(String.format(Locale.ROOT, "shared start: run %s version %d, pass@1 %.3f; target pass@1 %.3f",
        startRun, startVersion, start.finalPassAt1(), goal));
    List<Arm> arms = new ArrayList<>();
    for (String algorithm : ALGORITHMS) {
      String run = prefix + "-" + algorithm;
      if (PolicyVersions.latestVersion(lakehouse, run).isEmpty()) {
        PolicyVersions.registerBase(lakehouse, run, checkpoint, 0);
      }
      Map<String, String> over = new LinkedHashMap<>();
      over.put("run.id", run);
      over.put("sft.steps", "0");
      over.put("task.generate", "false");
      over.put(RunConfig.LEARNER_PREFIX + LearnerConfig.ALGORITHM, algorithm);
      RunConfig armCfg = armConfig(cfg, over, algorithm);
      log.accept("== " + algorithm + ": run " + run);
      long a0 = System.nanoTime();
      RunLoop.Result r = RunLoop.run(lakehouse, armCfg, log, summary);
      List<ReportJob.VersionRow> rows = ReportJob.versions(lakehouse, run);
      SortedMap<Double, Double> curve = new TreeMap<>();
      Long toTarget = null;
      long fresh = 0;
      for (ReportJob.VersionRow row : rows) {
        if (row.freshRollouts() != null) {
          fresh = row.freshRollouts();
        }
        if (row.passAt1() != null && row.freshRollouts() != null) {
          curve.put(row.freshRollouts().doubleValue(), row.passAt1());
          if (toTarget == null && row.passAt1() >= goal) {
            toTarget = row.freshRollouts();
          }
        }
      }
      arms.add(new Arm(algorithm, run, r.startPassAt1(), r.finalPassAt1(), toTarget, fresh,
          (System.nanoTime() - a0) / 1e9, curve));
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "compare %s: same start (pass@1 %.3f), %d iterations x %d fresh rollouts, "
            + "target pass@1 %.3f", prefix, start.finalPassAt1(), cfg.integer("run.iterations"),
        RunLoop.freshSamples(cfg), goal));
    lines.add(String.format("%-8s %-10s %-10s %-22s %-14s %-8s", "algo", "start", "final", "rollouts to target",
        "fresh total", "seconds"));
    for (Arm a : arms) {
      lines.add(String.format(Locale.ROOT, "%-8s %-10.3f %-10.3f %-22s %-14d %-8.0f", a.algorithm(),
          a.startPassAt1() == null ? Double.NaN : a.startPassAt1(), a.finalPassAt1() == null ? Double.NaN
              : a.finalPassAt1(), a.rolloutsToTarget() == null ? "not reached" : a.rolloutsToTarget().toString(),
          a.freshRollouts(), a.seconds()));
    }
    lines.add(String.format(Locale.ROOT, "total %.0f s", (System.nanoTime() - t0) / 1e9));
    String dir = writeReport(lakehouse, prefix, arms, lines);
    return new Result(prefix, goal, arms, dir, lines);
  }

  static RunConfig armConfig(RunConfig cfg, Map<String, String> over, String algorithm) {
    if ("grpo".equals(algorithm)) {
      // on-policy: no replay, one pass per batch (the learner refuses other values for grpo)
      Map<String, String> v = new LinkedHashMap<>(cfg.values());
      v.keySet().removeIf(k -> k.equals(RunConfig.LEARNER_PREFIX + LearnerConfig.REPLAY_FRACTION)
          || k.equals(RunConfig.LEARNER_PREFIX + LearnerConfig.UTD)
          || k.equals(RunConfig.LEARNER_PREFIX + LearnerConfig.REPLAY_VERSIONS)
          || k.equals(RunConfig.LEARNER_PREFIX + LearnerConfig.REINCARNATION_STEP));
      v.putAll(over);
      return RunConfig.of(v, cfg.source());
    }
    return cfg.with(over);
  }

  private static String writeReport(Lakehouse lakehouse, String prefix, List<Arm> arms, List<String> lines) {
    return ReportFolder.write(lakehouse, ReportFolder.defaultTarget(lakehouse, "compare-" + prefix), dir -> {
      List<Charts.Series> series = arms.stream().map(a -> new Charts.Series(a.algorithm(), a.curve())).toList();
      Charts.line(dir.resolve("pass_at_1_vs_rollouts.png"), "grpo vs remix: held-out pass@1 vs fresh rollouts",
          "fresh rollouts consumed", "pass@1", series);
      Files.writeString(dir.resolve("compare.txt"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    });
  }
}
