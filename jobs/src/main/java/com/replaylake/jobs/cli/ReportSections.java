package com.replaylake.jobs.cli;

import com.replaylake.jobs.report.ReportJob;
import java.util.List;

/** The extra sections every report gets after the training curves. */
final class ReportSections {
  private ReportSections() {}

  static List<ReportJob.Section> all() {
    return List.of();
  }
}
