package com.replaylake.jobs.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG line charts (JFreeChart, headless) with one look for every report plot. */
public final class Charts {
  private static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
      new Color(0x8c564b)};

  private Charts() {}

  /** A named series of (x, y) points; NaN and null values are skipped. */
  public record Series(String name, SortedMap<Double, Double> points) {}

  /** Writes a line chart to {@code file} (800x400 PNG); returns false (and writes nothing) when every series is empty. */
  public static boolean line(Path file, String title, String xLabel, String yLabel, List<Series> series) {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    boolean any = false;
    for (Series s : series) {
      XYSeries xy = new XYSeries(s.name(), true, false);
      for (var p : s.points().entrySet()) {
        if (p.getValue() != null && Double.isFinite(p.getValue())) {
          xy.add(p.getKey(), p.getValue());
          any = true;
        }
      }
      data.addSeries(xy);
    }
    if (!any) {
      return false;
    }
    NumberAxis x = new NumberAxis(xLabel);
    x.setAutoRangeIncludesZero(false);
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
      renderer.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));
    JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, series.size() > 1);
    chart.setBackgroundPaint(Color.WHITE);
    try {
      ChartUtils.saveChartAsPNG(file.toFile(), chart, 800, 400);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + file, e);
    }
    return true;
  }

  /** Convenience: series from parallel maps keyed by name. */
  public static List<Series> of(Map<String, SortedMap<Double, Double>> byName) {
    Map<String, SortedMap<Double, Double>> ordered = new LinkedHashMap<>(byName);
    return ordered.entrySet().stream().map(e -> new Series(e.getKey(), e.getValue())).toList();
  }
}
