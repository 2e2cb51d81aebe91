package com.replaylake.jobs.cli;

import com.replaylake.jobs.analyze.DynamicsPlots;
import com.replaylake.jobs.report.ReportJob;
import java.util.List;

/** The extra sections every report gets after the training curves. */
final class ReportSections {
  private ReportSections() {}

  static List<ReportJob.Section> all() {
    return List.of((lakehouse, run, dir) -> {
      DynamicsPlots.Section s = DynamicsPlots.render(lakehouse, run, dir);
      return new ReportJob.Rendered(s.html(), s.textLines());
    });
  }
}
