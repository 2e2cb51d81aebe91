package com.replaylake.jobs.report;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import com.replaylake.jobs.RunIds;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.sql.Row;

/**
 * {@code replaylake report}: an HTML page with PNG plots of one run (pass@1, reward, KL, entropy,
 * response length, clip fractions, fresh vs replayed data per version; the SFT loss curve;
 * pass@1 against fresh rollouts consumed) and a plain-text summary, read from the tables. Written
 * to {@code <lakehouse>/reports/<run>/} (index.html, summary.txt, *.png), or {@code --out}. For a
 * lakehouse on a remote file system the page is built locally and copied there.
 */
public final class ReportJob {
  private ReportJob() {}

  /** Extra sections (e.g. parameter dynamics) rendered into the report folder. */
  public interface Section {
    /** Writes its files into {@code dir}; returns an HTML fragment and text lines. */
    Rendered render(Lakehouse lakehouse, String runId, Path dir);
  }

  public record Rendered(String html, List<String> text) {}

  public record Result(String runId, String location, String indexUri, List<String> plots, List<String> summary) {}

  /** One version's numbers (null when the table has none). */
  public record VersionRow(int version, String kind, Integer parent, Double passAt1, Double meanReward,
      Double samplePassRate, Double klBase, Double entropy, Double responseLength, Double clipLow, Double clipHigh,
      Double freshFraction, Double replayedFraction, Long freshRollouts, Double learnSeconds) {}

  public static Result run(Lakehouse lakehouse, String runId, String out, List<Section> sections) {
    RunIds.check(runId);
    List<VersionRow> versions = versions(lakehouse, runId);
    if (versions.isEmpty()) {
      throw Errors.invalidOption("--run", runId, "no policy versions; nothing to report");
    }
    String target = out != null ? out : ReportFolder.defaultTarget(lakehouse, runId);
    List<String> plots = new ArrayList<>();
    List<String> text = new ArrayList<>();
    String location = ReportFolder.write(lakehouse, target, dir -> {
      plots.addAll(plots(lakehouse, runId, versions, dir));
      List<String> summary = summary(runId, versions);
      List<Rendered> extra = new ArrayList<>();
      for (Section s : sections) {
        extra.add(s.render(lakehouse, runId, dir));
      }
      text.addAll(summary);
      for (Rendered r : extra) {
        text.add("");
        text.addAll(r.text());
      }
      write(dir.resolve("summary.txt"), String.join("\n", text) + "\n");
      write(dir.resolve("index.html"), html(runId, versions, plots, summary, extra));
    });
    return new Result(runId, location, location + "/index.html", plots, text);
  }

  /** Every version of the run with the numbers of every table, in version order. */
  public static List<VersionRow> versions(Lakehouse lakehouse, String runId) {
    Map<Integer, Row> pv = byVersion(lakehouse.read(Tables.POLICY_VERSIONS).where(col(RUN_ID).equalTo(runId))
        .select(VERSION, KIND, PARENT_VERSION).collectAsList());
    Map<Integer, Row> evals = byVersion(lakehouse.read(Tables.EVALUATIONS).where(col(RUN_ID).equalTo(runId))
        .groupBy(POLICY_VERSION).agg(avg(PASS_AT_1)).collectAsList());
    Map<Integer, Row> scores = byVersion(lakehouse.read(Tables.SCORE_METRICS).where(col(RUN_ID).equalTo(runId))
        .select(POLICY_VERSION, MEAN_REWARD, PASS_RATE).collectAsList());
    Map<Integer, Row> learner = byVersion(lakehouse.read(Tables.LEARNER_METRICS).where(col(RUN_ID).equalTo(runId))
        .groupBy(POLICY_VERSION).agg(avg(KL_BASE), avg(ENTROPY), avg(MEAN_RESPONSE_LENGTH), avg(CLIP_FRACTION_LOW),
            avg(CLIP_FRACTION_HIGH), avg(FRESH_FRACTION), avg(REPLAYED_FRACTION), sum(SECONDS)).collectAsList());
    Map<Integer, Row> rollouts = byVersion(lakehouse.read(Tables.ROLLOUT_METRICS).where(col(RUN_ID).equalTo(runId))
        .groupBy(POLICY_VERSION).agg(sum(SAMPLES)).collectAsList());
    List<VersionRow> out = new ArrayList<>();
    long fresh = 0;
    for (var e : new TreeMap<>(pv).entrySet()) {
      int v = e.getKey();
      Row p = e.getValue();
      Row l = learner.get(v);
      boolean rl = "rl".equals(p.getString(1));
      // rollouts of version v-1 were consumed to produce v
      Row r = rollouts.get(v - 1);
      if (rl && r != null && !r.isNullAt(1)) {
        fresh += r.getLong(1);
      }
      out.add(new VersionRow(v, p.getString(1), p.isNullAt(2) ? null : p.getInt(2), d(evals.get(v), 1),
          d(scores.get(v), 1), d(scores.get(v), 2), rl ? d(l, 1) : null, rl ? d(l, 2) : null, rl ? d(l, 3) : null,
          rl ? d(l, 4) : null, rl ? d(l, 5) : null, rl ? d(l, 6) : null, rl ? d(l, 7) : null,
          rl || "sft".equals(p.getString(1)) || v == 0 ? fresh : null, d(l, 8)));
    }
    return out;
  }

  private static Map<Integer, Row> byVersion(List<Row> rows) {
    Map<Integer, Row> m = new LinkedHashMap<>();
    rows.forEach(r -> m.put(r.getInt(0), r));
    return m;
  }

  private static Double d(Row r, int i) {
    return r == null || r.isNullAt(i) ? null : ((Number) r.get(i)).doubleValue();
  }

  private static List<String> plots(Lakehouse lakehouse, String runId, List<VersionRow> rows, Path dir) {
    List<String> files = new ArrayList<>();
    plot(files, dir, "pass_at_1.png", "Held-out pass@1 (greedy) per version", "pass@1",
        Map.of("pass@1", VersionRow::passAt1), rows);
    plot(files, dir, "reward.png", "Rollout reward per behavior version", "mean",
        ordered("mean reward", VersionRow::meanReward, "sample pass rate", VersionRow::samplePassRate), rows);
    plot(files, dir, "kl.png", "KL to the reference (k3, per token)", "KL", Map.of("kl_base", VersionRow::klBase), rows);
    plot(files, dir, "entropy.png", "Policy entropy (per token)", "nats", Map.of("entropy", VersionRow::entropy), rows);
    plot(files, dir, "response_length.png", "Response length of trained samples", "tokens",
        Map.of("mean length", VersionRow::responseLength), rows);
    plot(files, dir, "clip_fraction.png", "PPO clip fractions", "fraction of tokens",
        ordered("clipped low", VersionRow::clipLow, "clipped high", VersionRow::clipHigh), rows);
    plot(files, dir, "fresh_vs_replayed.png", "Fresh vs replayed samples per learner batch", "fraction",
        ordered("fresh", VersionRow::freshFraction, "replayed", VersionRow::replayedFraction), rows);
    SortedMap<Double, Double> byRollouts = new TreeMap<>();
    for (VersionRow r : rows) {
      if (r.passAt1() != null && r.freshRollouts() != null) {
        byRollouts.put(r.freshRollouts().doubleValue(), r.passAt1());
      }
    }
    if (Charts.line(dir.resolve("pass_at_1_vs_rollouts.png"), "Held-out pass@1 vs fresh rollouts consumed by RL",
        "fresh rollouts", "pass@1", List.of(new Charts.Series("pass@1", byRollouts)))) {
      files.add("pass_at_1_vs_rollouts.png");
    }
    SortedMap<Double, Double> sft = new TreeMap<>();
    for (Row r : lakehouse.read(Tables.LEARNER_METRICS).where(col(RUN_ID).equalTo(runId))
        .join(lakehouse.read(Tables.POLICY_VERSIONS).where(col(RUN_ID).equalTo(runId).and(col(KIND).equalTo("sft")))
            .select(col(VERSION).as(POLICY_VERSION)), POLICY_VERSION)
        .select(LEARNER_STEP, LOSS).collectAsList()) {
      if (!r.isNullAt(1)) {
        sft.put((double) r.getInt(0), r.getDouble(1));
      }
    }
    if (Charts.line(dir.resolve("sft_loss.png"), "SFT warm start: loss per step", "learner step", "loss",
        List.of(new Charts.Series("loss", sft)))) {
      files.add("sft_loss.png");
    }
    return files;
  }

  private static Map<String, Function<VersionRow, Double>> ordered(String a, Function<VersionRow, Double> fa, String b,
      Function<VersionRow, Double> fb) {
    Map<String, Function<VersionRow, Double>> m = new LinkedHashMap<>();
    m.put(a, fa);
    m.put(b, fb);
    return m;
  }

  private static void plot(List<String> files, Path dir, String file, String title, String yLabel,
      Map<String, Function<VersionRow, Double>> series, List<VersionRow> rows) {
    List<Charts.Series> s = new ArrayList<>();
    for (var e : series.entrySet()) {
      SortedMap<Double, Double> pts = new TreeMap<>();
      for (VersionRow r : rows) {
        Double y = e.getValue().apply(r);
        if (y != null) {
          pts.put((double) r.version(), y);
        }
      }
      s.add(new Charts.Series(e.getKey(), pts));
    }
    if (Charts.line(dir.resolve(file), title, "policy version", yLabel, s)) {
      files.add(file);
    }
  }

  /** The plain-text summary: the headline and one line per version. */
  public static List<String> summary(String runId, List<VersionRow> rows) {
    List<String> out = new ArrayList<>();
    VersionRow start = null;
    VersionRow last = null;
    for (VersionRow r : rows) {
      if (!"rl".equals(r.kind()) && r.passAt1() != null) {
        start = r;
      }
      if (r.passAt1() != null) {
        last = r;
      }
    }
    out.add("ReplayLake report for run " + runId);
    long rl = rows.stream().filter(r -> "rl".equals(r.kind())).count();
    if (start != null && last != null) {
      out.add(String.format(Locale.ROOT, "held-out pass@1: %.3f at the RL start (version %d, %s) -> %.3f at version %d "
              + "(%+.1f points) after %d RL versions and %s fresh rollouts", start.passAt1(), start.version(),
          start.kind(), last.passAt1(), last.version(), 100 * (last.passAt1() - start.passAt1()), rl,
          last.freshRollouts() == null ? "?" : last.freshRollouts()));
    }
    out.add(String.format("%-7s %-5s %-8s %-8s %-8s %-9s %-8s %-7s %-8s %-8s %-8s", "version", "kind", "pass@1",
        "reward", "kl_base", "entropy", "length", "clip", "fresh", "rollouts", "learn_s"));
    for (VersionRow r : rows) {
      out.add(String.format("%-7d %-5s %-8s %-8s %-8s %-9s %-8s %-7s %-8s %-8s %-8s", r.version(), r.kind(),
          f(r.passAt1(), 3), f(r.meanReward(), 3), f(r.klBase(), 4), f(r.entropy(), 3), f(r.responseLength(), 1),
          r.clipLow() == null ? "-" : f(r.clipLow() + r.clipHigh(), 3), f(r.freshFraction(), 2),
          r.freshRollouts() == null ? "-" : Long.toString(r.freshRollouts()), f(r.learnSeconds(), 1)));
    }
    return out;
  }

  private static String f(Double d, int digits) {
    return d == null || d.isNaN() ? "-" : String.format(Locale.ROOT, "%." + digits + "f", d);
  }

  private static String html(String runId, List<VersionRow> rows, List<String> plots, List<String> summary,
      List<Rendered> extra) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ReplayLake run ").append(esc(runId))
        .append("</title>\n<style>body{font-family:sans-serif;max-width:1700px;margin:2em auto;color:#222}"
            + "img{width:800px;margin:4px;border:1px solid #eee}table{border-collapse:collapse;font-size:13px}"
            + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}pre{background:#f6f6f6;padding:1em}"
            + "</style></head><body>\n");
    b.append("<h1>ReplayLake run ").append(esc(runId)).append("</h1>\n");
    if (summary.size() > 1) {
      b.append("<p><b>").append(esc(summary.get(1))).append("</b></p>\n");
    }
    b.append("<h2>Training curves</h2>\n<div>\n");
    for (String p : plots) {
      b.append("<img src=\"").append(esc(p)).append("\" alt=\"").append(esc(p)).append("\">\n");
    }
    b.append("</div>\n<h2>Versions</h2>\n<table><tr><th>version</th><th>kind</th><th>parent</th><th>pass@1</th>"
        + "<th>reward</th><th>sample pass rate</th><th>kl_base</th><th>entropy</th><th>length</th><th>clip low</th>"
        + "<th>clip high</th><th>fresh</th><th>replayed</th><th>fresh rollouts</th><th>learn s</th></tr>\n");
    for (VersionRow r : rows) {
      b.append("<tr><td>").append(r.version()).append("</td><td>").append(esc(r.kind())).append("</td><td>")
          .append(r.parent() == null ? "" : r.parent()).append("</td><td>").append(f(r.passAt1(), 3))
          .append("</td><td>").append(f(r.meanReward(), 3)).append("</td><td>").append(f(r.samplePassRate(), 3))
          .append("</td><td>").append(f(r.klBase(), 4)).append("</td><td>").append(f(r.entropy(), 3))
          .append("</td><td>").append(f(r.responseLength(), 1)).append("</td><td>").append(f(r.clipLow(), 4))
          .append("</td><td>").append(f(r.clipHigh(), 4)).append("</td><td>").append(f(r.freshFraction(), 2))
          .append("</td><td>").append(f(r.replayedFraction(), 2)).append("</td><td>")
          .append(r.freshRollouts() == null ? "" : r.freshRollouts()).append("</td><td>")
          .append(f(r.learnSeconds(), 1)).append("</td></tr>\n");
    }
    b.append("</table>\n<p>reward and sample pass rate: of the rollouts the version generated; KL, entropy, length, "
        + "clip and fresh/replayed: of the learner steps that produced the version.</p>\n");
    for (Rendered r : extra) {
      b.append(r.html()).append('\n');
    }
    b.append("<h2>Summary</h2>\n<pre>").append(esc(String.join("\n", summary))).append("</pre>\n</body></html>\n");
    return b.toString();
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
