package com.replaylake.udfs.verify;

/**
 * Finds the final answer in a model response (ALGORITHMS.md §2), in this order of precedence:
 * the last complete {@code \boxed{...}} or {@code \fbox{...}} (nested braces), the last
 * {@code #### N} line, the last "the answer is X" / "answer: X" phrase, and in lenient mode the
 * last number. Text inside {@code <think>...</think>} is ignored, and an unclosed
 * {@code <think>} hides everything after it. All scans are linear and charged to the budget.
 */
public final class AnswerExtractor {
  /** How an answer was found. */
  public enum Method {
    BOXED, HASHES, ANSWER_PHRASE, LAST_NUMBER
  }

  /** An extracted answer and how it was found. */
  public record Extraction(String answer, Method method) {}

  private static final String THINK_OPEN = "<think>";
  private static final String THINK_CLOSE = "</think>";
  private static final String[] PHRASES = {"answer is", "answer:"};

  /** Unclosed boxes tried before giving up (each costs a scan to the end of the text). */
  private static final int MAX_BOX_CANDIDATES = 16;

  private AnswerExtractor() {}

  /** Extraction with an unlimited budget; for callers outside a timed check. */
  public static Extraction extract(String response, VerifyMode mode) {
    return extract(response, mode, Budget.unlimited());
  }

  static Extraction extract(String response, VerifyMode mode, Budget budget) {
    if (response == null) {
      return null;
    }
    String text = withoutThinking(response, budget);
    String boxed = lastBoxed(text, budget);
    if (boxed != null) {
      return new Extraction(boxed, Method.BOXED);
    }
    String hashes = afterHashes(text, budget);
    if (hashes != null) {
      return new Extraction(hashes, Method.HASHES);
    }
    String phrase = afterAnswerPhrase(text, budget);
    if (phrase != null) {
      return new Extraction(phrase, Method.ANSWER_PHRASE);
    }
    if (mode == VerifyMode.LENIENT) {
      String number = lastNumber(text, budget);
      if (number != null) {
        return new Extraction(number, Method.LAST_NUMBER);
      }
    }
    return null;
  }

  /**
   * The response without its reasoning: {@code <think>} blocks removed, everything before a stray
   * {@code </think>} removed (templates that open the block in the prompt), and everything after
   * an unclosed {@code <think>} removed.
   */
  static String withoutThinking(String s, Budget budget) {
    budget.charge(s.length() >> 6);
    if (s.indexOf("think>") < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    int pos = 0;
    while (pos < s.length()) {
      int open = s.indexOf(THINK_OPEN, pos);
      int close = s.indexOf(THINK_CLOSE, pos);
      if (close >= 0 && (open < 0 || close < open)) {
        out.setLength(0); // stray closing tag: what came before was reasoning
        pos = close + THINK_CLOSE.length();
        continue;
      }
      if (open < 0) {
        out.append(s, pos, s.length());
        break;
      }
      out.append(s, pos, open);
      int end = s.indexOf(THINK_CLOSE, open + THINK_OPEN.length());
      if (end < 0) {
        break; // unfinished reasoning: no answer after it
      }
      pos = end + THINK_CLOSE.length();
    }
    return out.toString();
  }

  /** The response without its reasoning (see the budgeted variant for the rules). */
  public static String withoutThinking(String s) {
    return withoutThinking(s, Budget.unlimited());
  }

  /** Content of the last complete {@code \boxed}/{@code \fbox}, or null. */
  static String lastBoxed(String s, Budget budget) {
    java.util.List<String> boxes = lastBoxes(s, 1, budget);
    return boxes.isEmpty() ? null : boxes.get(0);
  }

  /**
   * Contents of the last {@code n} complete, non-empty boxes, in document order (fewer when the
   * text has fewer). Truncated boxes are skipped; at most {@link #MAX_BOX_CANDIDATES} + n
   * candidates are examined, each costing a scan to its closing brace.
   */
  static java.util.List<String> lastBoxes(String s, int n, Budget budget) {
    java.util.ArrayList<String> found = new java.util.ArrayList<>(n);
    int from = s.length();
    for (int candidates = 0; from > 0 && found.size() < n
        && candidates < MAX_BOX_CANDIDATES + n; candidates++) {
      int b = s.lastIndexOf("\\boxed", from - 1);
      int f = s.lastIndexOf("\\fbox", from - 1);
      int at = Math.max(b, f);
      if (at < 0) {
        break;
      }
      budget.tick();
      int i = at + (at == b ? 6 : 5);
      from = at;
      if (i < s.length() && Character.isLetter(s.charAt(i))) {
        continue; // some other command, e.g. \boxedsomething
      }
      while (i < s.length() && s.charAt(i) == ' ') {
        i++;
      }
      if (i < s.length() && s.charAt(i) == '{') {
        int close = LatexNormalizer.matchBrace(s, i, budget);
        if (close < 0) {
          continue; // truncated box: look for an earlier complete one
        }
        String inner = s.substring(i + 1, close).trim();
        if (!inner.isEmpty()) {
          found.add(inner);
        }
        continue;
      }
      if (at == b && i > at + 6) {
        // "\boxed 5": the argument is the next token
        int j = i;
        while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && s.charAt(j) != '$') {
          j++;
        }
        if (j > i) {
          found.add(s.substring(i, j));
        }
      }
    }
    java.util.Collections.reverse(found);
    return found;
  }

  /** The rest of the line after the last {@code ####}, or null. */
  static String afterHashes(String s, Budget budget) {
    int at = s.lastIndexOf("####");
    while (at >= 0) {
      budget.tick();
      int start = at + 4;
      while (start < s.length() && s.charAt(start) == '#') {
        start++;
      }
      int end = s.indexOf('\n', start);
      String line = (end < 0 ? s.substring(start) : s.substring(start, end)).trim();
      if (!line.isEmpty()) {
        // "#### The answer is 18" keeps only what follows the phrase
        String phrase = afterAnswerPhrase(line, budget);
        return phrase != null ? phrase : trimSentence(line);
      }
      at = at == 0 ? -1 : s.lastIndexOf("####", at - 1);
    }
    return null;
  }

  /** What follows the last "answer is" / "answer:" (case-insensitive), up to the sentence end. */
  static String afterAnswerPhrase(String s, Budget budget) {
    int best = -1;
    int bestLen = 0;
    for (String phrase : PHRASES) {
      int at = lastIndexOfIgnoreCase(s, phrase, budget);
      if (at > best) {
        best = at;
        bestLen = phrase.length();
      }
    }
    if (best < 0) {
      return null;
    }
    int i = best + bestLen;
    int n = s.length();
    while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == ':' || s.charAt(i) == '*')) {
      i++;
    }
    if (i >= n) {
      return null;
    }
    String answer;
    if (s.charAt(i) == '$') {
      boolean display = s.startsWith("$$", i);
      int start = i + (display ? 2 : 1);
      int end = s.indexOf(display ? "$$" : "$", start);
      if (end < 0) {
        end = lineEnd(s, start);
      }
      answer = s.substring(start, end);
    } else if (s.startsWith("\\(", i) || s.startsWith("\\[", i)) {
      int start = i + 2;
      int end = s.indexOf(s.charAt(i + 1) == '(' ? "\\)" : "\\]", start);
      answer = s.substring(start, end < 0 ? lineEnd(s, start) : end);
    } else {
      answer = trimSentence(s.substring(i, lineEnd(s, i)));
    }
    answer = answer.trim();
    while (answer.endsWith("*")) {
      answer = answer.substring(0, answer.length() - 1).trim();
    }
    return answer.isEmpty() ? null : answer;
  }

  private static int lineEnd(String s, int from) {
    int end = s.indexOf('\n', from);
    return end < 0 ? s.length() : end;
  }

  /** Cuts at the first ". " or ", and"-style sentence end and drops a final period. */
  private static String trimSentence(String line) {
    int n = line.length();
    for (int k = 0; k + 1 < n; k++) {
      if (line.charAt(k) == '.' && line.charAt(k + 1) == ' ') {
        line = line.substring(0, k);
        break;
      }
    }
    line = line.trim();
    while (line.endsWith(".")) {
      line = line.substring(0, line.length() - 1).trim();
    }
    return line;
  }

  private static int lastIndexOfIgnoreCase(String s, String needle, Budget budget) {
    int m = needle.length();
    budget.charge(s.length() >> 5);
    for (int i = s.length() - m; i >= 0; i--) {
      if (s.regionMatches(true, i, needle, 0, m)) {
        return i;
      }
    }
    return -1;
  }

  /** The last number in the text (with sign, thousands separators, decimals, or a fraction). */
  static String lastNumber(String s, Budget budget) {
    int end = s.length();
    budget.charge(s.length() >> 5);
    while (end > 0 && !Character.isDigit(s.charAt(end - 1))) {
      end--;
    }
    if (end == 0) {
      return null;
    }
    int start = end;
    while (start > 0) {
      char c = s.charAt(start - 1);
      if (Character.isDigit(c)) {
        start--;
      } else if ((c == '.' || c == ',' || c == '/') && start - 2 >= 0
          && Character.isDigit(s.charAt(start - 2))) {
        start--;
      } else {
        break;
      }
    }
    if (start > 0 && (s.charAt(start - 1) == '-' || s.charAt(start - 1) == '\u2212')) {
      start--;
    }
    return s.substring(start, end).replace('\u2212', '-');
  }
}
