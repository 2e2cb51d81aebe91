package com.replaylake.udfs.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Loads the MATH-500 and GSM8K test splits copied into the test resources. */
final class BenchmarkData {
  record MathProblem(String answer, String solution, String uniqueId) {}

  record GsmProblem(String gold, String solution) {}

  private BenchmarkData() {}

  static List<MathProblem> math500() {
    List<MathProblem> out = new ArrayList<>();
    for (JsonNode n : read("/data/math500_test.jsonl")) {
      out.add(new MathProblem(n.get("answer").asText(), n.get("solution").asText(),
          n.get("unique_id").asText()));
    }
    return out;
  }

  static List<GsmProblem> gsm8k() {
    List<GsmProblem> out = new ArrayList<>();
    for (JsonNode n : read("/data/gsm8k_test.jsonl")) {
      String solution = n.get("answer").asText();
      String gold = solution.substring(solution.lastIndexOf("####") + 4).trim();
      out.add(new GsmProblem(gold, solution));
    }
    return out;
  }

  private static List<JsonNode> read(String resource) {
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    try (InputStream in = BenchmarkData.class.getResourceAsStream(resource);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          out.add(mapper.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * A second spelling of a LaTeX answer, as a model might write it: {@code \frac} and
   * {@code \dfrac} swapped, {@code \left}/{@code \right} around brackets, spaces after commas and
   * around operators, {@code ^{\circ}}, {@code \mbox} for {@code \text}, and math delimiters.
   */
  static String secondSpelling(String answer) {
    String s = answer;
    s = s.replace("\\dfrac", "\u0000").replace("\\frac", "\\dfrac").replace("\u0000", "\\frac");
    s = s.replace("^\\circ", "^{\\circ}");
    s = s.replace("\\text{", "\\mbox{");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean escaped = i > 0 && s.charAt(i - 1) == '\\';
      boolean afterSqrt = c == '[' && s.startsWith("\\sqrt", Math.max(0, i - 5)) && i >= 5;
      if (!escaped && !afterSqrt && (c == '(' || c == '[')) {
        if (!s.startsWith("\\left", Math.max(0, i - 5)) || i < 5) {
          b.append("\\left");
        }
        b.append(c);
      } else if (!escaped && (c == ')' || (c == ']' && !closesSqrtIndex(s, i)))) {
        if (!s.startsWith("\\right", Math.max(0, i - 6)) || i < 6) {
          b.append("\\right");
        }
        b.append(c);
      } else if (c == ',' && !escaped) {
        b.append(", ");
      } else if ((c == '+' || c == '=') && !escaped) {
        b.append(' ').append(c).append(' ');
      } else {
        b.append(c);
      }
    }
    return "$" + b + "$";
  }

  private static boolean closesSqrtIndex(String s, int close) {
    int open = s.lastIndexOf('[', close);
    return open >= 5 && s.startsWith("\\sqrt", open - 5);
  }
}
