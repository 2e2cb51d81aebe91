package com.replaylake.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;

/** Prints rows of strings as an aligned text table, RFC 4180 CSV, or JSON Lines. */
public final class TablePrinter {
  private TablePrinter() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_CELL = 80;

  public static void print(PrintWriter out, OutputFormat format, List<String> header, List<List<String>> rows) {
    switch (format) {
      case csv -> {
        out.println(csvLine(header));
        rows.forEach(r -> out.println(csvLine(r)));
      }
      case json -> {
        for (List<String> r : rows) {
          ObjectNode node = JSON.createObjectNode();
          for (int i = 0; i < header.size(); i++) {
            node.put(header.get(i), r.get(i));
          }
          out.println(node.toString());
        }
      }
      case table -> printTable(out, header, rows);
    }
    out.flush();
  }

  private static void printTable(PrintWriter out, List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      width[i] = header.get(i).length();
    }
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], cell(r.get(i)).length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int w : width) {
      rule.append("-".repeat(w + 2)).append('+');
    }
    out.println(rule);
    out.println(line(header, width));
    out.println(rule);
    for (List<String> r : rows) {
      out.println(line(r, width));
    }
    out.println(rule);
    out.println(rows.size() + (rows.size() == 1 ? " row" : " rows"));
  }

  private static String line(List<String> cells, int[] width) {
    StringBuilder sb = new StringBuilder("|");
    for (int i = 0; i < cells.size(); i++) {
      String c = cell(cells.get(i));
      sb.append(' ').append(c).append(" ".repeat(width[i] - c.length())).append(" |");
    }
    return sb.toString();
  }

  private static String cell(String value) {
    if (value == null) {
      return "NULL";
    }
    String flat = value.replace("\r", "").replace('\n', ' ').replace('\t', ' ');
    return flat.length() <= MAX_CELL ? flat : flat.substring(0, MAX_CELL - 3) + "...";
  }

  static String csvLine(List<String> cells) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      String v = cells.get(i);
      if (v == null) {
        continue;
      }
      if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
        sb.append('"').append(v.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(v);
      }
    }
    return sb.toString();
  }
}
