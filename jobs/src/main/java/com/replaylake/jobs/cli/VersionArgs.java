package com.replaylake.jobs.cli;

import com.replaylake.jobs.learn.LearnJob;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;

/**
 * {@code --version latest} and {@code --step auto}, so that schedulers (Airflow) can chain the
 * same commands every iteration without computing numbers: latest = the run's latest published
 * version; the rollout step of version k = k minus the RL start (the run's latest base/sft
 * version), as {@code replaylake run} numbers them.
 */
final class VersionArgs {
  private VersionArgs() {}

  static int version(Lakehouse lakehouse, String run, String value) {
    if ("latest".equals(value)) {
      return PolicyVersions.latestVersion(lakehouse, run).orElseThrow(() -> Errors.invalidOption("--version",
          value, "run " + run + " has no policy versions; register a base first"));
    }
    try {
      int v = Integer.parseInt(value);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw Errors.invalidOption("--version", value, "must be a version number >= 0 or 'latest'");
    }
  }

  static int step(Lakehouse lakehouse, String run, int version, String value) {
    if ("auto".equals(value)) {
      return version - LearnJob.rlStart(lakehouse, run).version();
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw Errors.invalidOption("--step", value, "must be a step number or 'auto' (version minus the RL start)");
    }
  }
}
