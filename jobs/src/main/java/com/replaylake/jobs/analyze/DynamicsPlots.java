package com.replaylake.jobs.analyze;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.functions.col;

import com.replaylake.jobs.RunIds;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The parameter-dynamics section of {@code bin/replaylake report}: PNG plots (update sparsity,
 * spectral drift and max principal angle per layer; overlaps with M_princ and M_low against the α
 * baseline) with one series per analyzed comparison of the run, labelled with the kind of the
 * compared version ("v0→v1 (sft)", "v1→v5 (rl)"), plus a table and plain-text lines of the
 * whole-model rows. Reads {@code param_dynamics} (layer and model rows) and
 * {@code policy_versions}.
 */
public final class DynamicsPlots {
  private DynamicsPlots() {}

  /** An HTML fragment (heading, images relative to {@code outDir}, a table) and its plain-text summary. */
  public record Section(String html, List<String> textLines) {
    public Section {
      Objects.requireNonNull(html);
      textLines = List.copyOf(textLines);
    }
  }

  private record Comparison(int from, int to, String compareRun, Integer compareTo) {}

  public static Section render(Lakehouse lakehouse, String runId, Path outDir) {
    RunIds.check(runId);
    System.setProperty("java.awt.headless", "true");
    List<Row> rows = lakehouse.read(Tables.PARAM_DYNAMICS)
        .where(col(RUN_ID).equalTo(runId).and(col(SCOPE).isin("layer", "model")))
        .select(FROM_VERSION, TO_VERSION, COMPARE_RUN_ID, COMPARE_TO_VERSION, SCOPE, LAYER, UPDATE_SPARSITY,
            SPECTRAL_DRIFT, PRINCIPAL_ANGLE_LEFT_MAX, PRINCIPAL_ANGLE_RIGHT_MAX, PRINCIPAL_OVERLAP,
            LOW_MAGNITUDE_OVERLAP, OVERLAP_BASELINE, JACCARD, JACCARD_BASELINE, TOP_K_SUBSPACE)
        .orderBy(FROM_VERSION, TO_VERSION, COMPARE_RUN_ID, COMPARE_TO_VERSION, LAYER)
        .collectAsList();
    if (rows.isEmpty()) {
      String how = "bin/replaylake analyze --run " + runId + " --from 0 --to <version>";
      return new Section("<h2>Parameter dynamics</h2>\n<p>No <code>param_dynamics</code> rows for run "
          + esc(runId) + ". Produce them with <code>" + esc(how) + "</code> (ALGORITHMS.md section 5).</p>\n",
          List.of("Parameter dynamics: no param_dynamics rows for run " + runId + "; produce them with: " + how));
    }
    Map<Integer, String> kinds = new HashMap<>();
    for (Row r : lakehouse.read(Tables.POLICY_VERSIONS).where(col(RUN_ID).equalTo(runId)).select(VERSION, KIND)
        .collectAsList()) {
      kinds.put(r.getInt(0), r.isNullAt(1) ? "?" : r.getString(1));
    }
    Map<Comparison, List<Row>> byComparison = new LinkedHashMap<>();
    for (Row r : rows) {
      Comparison c = new Comparison(r.getInt(0), r.getInt(1), r.isNullAt(2) ? null : r.getString(2),
          r.isNullAt(3) ? null : r.getInt(3));
      byComparison.computeIfAbsent(c, x -> new ArrayList<>()).add(r);
    }
    XYSeriesCollection sparsity = new XYSeriesCollection();
    XYSeriesCollection drift = new XYSeriesCollection();
    XYSeriesCollection angle = new XYSeriesCollection();
    DefaultCategoryDataset overlap = new DefaultCategoryDataset();
    StringBuilder table = new StringBuilder("<table>\n<tr><th>comparison</th><th>update sparsity</th>"
        + "<th>spectral drift</th><th>max angle left / right (rad)</th><th>k</th><th>M_princ overlap</th>"
        + "<th>M_low overlap</th><th>baseline &alpha;</th><th>Jaccard (baseline)</th></tr>\n");
    List<String> text = new ArrayList<>();
    text.add("Parameter dynamics of run " + runId + " (whole model; bf16 bit-identical entries, ALGORITHMS.md §5):");
    for (Map.Entry<Comparison, List<Row>> e : byComparison.entrySet()) {
      Comparison c = e.getKey();
      String label = "v" + c.from() + "→v" + c.to() + " (" + kinds.getOrDefault(c.to(), "?") + ")"
          + (c.compareRun() == null ? "" : " vs " + c.compareRun() + " v" + c.compareTo());
      XYSeries sp = new XYSeries(label);
      XYSeries dr = new XYSeries(label);
      XYSeries left = new XYSeries(label + " left");
      XYSeries right = new XYSeries(label + " right");
      Row model = null;
      for (Row r : e.getValue()) {
        if ("model".equals(r.getString(4))) {
          model = r;
          continue;
        }
        int layer = r.getInt(5);
        add(sp, layer, r, 6);
        add(dr, layer, r, 7);
        add(left, layer, r, 8);
        add(right, layer, r, 9);
      }
      sparsity.addSeries(sp);
      drift.addSeries(dr);
      angle.addSeries(left);
      angle.addSeries(right);
      if (model == null) {
        continue;
      }
      if (!model.isNullAt(10)) {
        overlap.addValue(model.getDouble(10), label, "M_princ ∩ M_upd");
      }
      if (!model.isNullAt(11)) {
        overlap.addValue(model.getDouble(11), label, "M_low ∩ M_upd");
      }
      if (!model.isNullAt(12)) {
        overlap.addValue(model.getDouble(12), label, "baseline α");
      }
      table.append("<tr><td>").append(esc(label)).append("</td><td>").append(fmt(model, 6)).append("</td><td>")
          .append(fmt(model, 7)).append("</td><td>").append(fmt(model, 8)).append(" / ").append(fmt(model, 9))
          .append("</td><td>").append(model.isNullAt(15) ? "" : model.getInt(15)).append("</td><td>")
          .append(fmt(model, 10)).append("</td><td>").append(fmt(model, 11)).append("</td><td>")
          .append(fmt(model, 12)).append("</td><td>")
          .append(model.isNullAt(13) ? "" : fmt(model, 13) + " (" + fmt(model, 14) + ")").append("</td></tr>\n");
      text.add(String.format(Locale.ROOT, "  %s: sparsity %s, spectral drift %s, max angle left %s right %s rad,"
          + " overlap M_princ %s M_low %s (baseline %s)%s", label, fmt(model, 6), fmt(model, 7), fmt(model, 8),
          fmt(model, 9), fmt(model, 10), fmt(model, 11), fmt(model, 12),
          model.isNullAt(13) ? "" : ", Jaccard " + fmt(model, 13) + " (independent " + fmt(model, 14) + ")"));
    }
    table.append("</table>\n");
    try {
      Files.createDirectories(outDir);
      save(outDir, "dynamics_sparsity.png", ChartFactory.createXYLineChart("Update sparsity per layer (bf16)",
          "layer", "fraction of bit-identical entries", sparsity));
      save(outDir, "dynamics_drift.png", ChartFactory.createXYLineChart("Spectral drift per layer", "layer",
          "||σ(W1) − σ(W0)|| / ||σ(W0)||", drift));
      save(outDir, "dynamics_angle.png", ChartFactory.createXYLineChart("Max principal angle of the top-k singular"
          + " subspaces per layer", "layer", "radians", angle));
      save(outDir, "dynamics_overlap.png", ChartFactory.createBarChart("Overlap of updated entries (whole model)",
          "mask", "|M ∩ M_upd| / |M_upd|", overlap, PlotOrientation.VERTICAL, true, false, false));
    } catch (IOException e) {
      throw Errors.unreadableFile(outDir.toString(), e);
    }
    String html = "<h2>Parameter dynamics</h2>\n"
        + "<p>Per decoder layer, pooled over its weight matrices (docs/dynamics.md). Expected for RLVR versus SFT:"
        + " higher update sparsity, less spectral drift, smaller principal angles, M_princ overlap below &alpha;"
        + " and M_low overlap above it.</p>\n"
        + "<img src=\"dynamics_sparsity.png\" alt=\"update sparsity per layer\">\n"
        + "<img src=\"dynamics_drift.png\" alt=\"spectral drift per layer\">\n"
        + "<img src=\"dynamics_angle.png\" alt=\"max principal angle per layer\">\n"
        + "<img src=\"dynamics_overlap.png\" alt=\"overlap with M_princ and M_low vs baseline\">\n"
        + table;
    return new Section(html, text);
  }

  private static void add(XYSeries s, int layer, Row r, int field) {
    if (!r.isNullAt(field)) {
      s.add(layer, r.getDouble(field));
    }
  }

  private static void save(Path dir, String name, JFreeChart chart) throws IOException {
    ChartUtils.saveChartAsPNG(dir.resolve(name).toFile(), chart, 800, 450);
  }

  private static String fmt(Row r, int field) {
    return r.isNullAt(field) ? "n/a" : String.format(Locale.ROOT, "%.4g", r.getDouble(field));
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
