package com.replaylake.jobs;

import com.replaylake.schemas.Columns;
import com.replaylake.schemas.Errors;

/** Run ids become partition values, folder names and SQL literals: they are kept plain. */
public final class RunIds {
  private RunIds() {}

  /** Returns {@code runId} when it is 1-128 letters, digits, '_', '-' or '.', starting with a letter or digit. */
  public static String check(String runId) {
    if (runId == null || !runId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
      throw Errors.invalidOption("--run", String.valueOf(runId), "use 1-128 letters, digits, '_', '-' or '.'");
    }
    return runId;
  }

  /** SQL predicate selecting one (run, version): safe to build because run ids are checked. */
  public static String where(String runId, int version) {
    return Columns.RUN_ID + " = '" + check(runId) + "' AND " + Columns.POLICY_VERSION + " = " + version;
  }
}
