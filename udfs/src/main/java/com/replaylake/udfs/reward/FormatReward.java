package com.replaylake.udfs.reward;

/**
 * Format reward (ALGORITHMS.md §2): 1.0 when the response is well formed, else 0.0. Well formed
 * means its reasoning tags are balanced (none, one {@code <think>...</think>} pair, or a single
 * {@code </think>} when the chat template opened the block in the prompt) and, outside the
 * reasoning, there is exactly one final answer box ({@code \boxed{...}} or {@code \fbox{...}})
 * with balanced braces and non-empty content.
 */
public final class FormatReward {
  private static final String OPEN = "<think>";
  private static final String CLOSE = "</think>";

  private FormatReward() {}

  /** 1.0 for a well-formed response, 0.0 otherwise (also for null). */
  public static double score(String response) {
    return isWellFormed(response) ? 1.0 : 0.0;
  }

  /** Whether the response satisfies the format rule. */
  public static boolean isWellFormed(String response) {
    if (response == null) {
      return false;
    }
    int opens = count(response, OPEN);
    int closes = count(response, CLOSE);
    if (opens > 1 || closes > 1 || opens > closes) {
      return false;
    }
    if (opens == 1 && response.indexOf(OPEN) > response.indexOf(CLOSE)) {
      return false;
    }
    String answer = closes == 1
        ? response.substring(response.indexOf(CLOSE) + CLOSE.length())
        : response;
    return countCompleteBoxes(answer) == 1;
  }

  private static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  /** Boxes in the text; -1 when any box is unclosed or empty (malformed). */
  private static int countCompleteBoxes(String s) {
    int boxes = 0;
    int i = 0;
    while (i < s.length()) {
      int b = s.indexOf("\\boxed", i);
      int f = s.indexOf("\\fbox", i);
      int at = b < 0 ? f : (f < 0 ? b : Math.min(b, f));
      if (at < 0) {
        break;
      }
      int j = at + (at == b ? 6 : 5);
      if (j < s.length() && Character.isLetter(s.charAt(j))) {
        i = j;
        continue;
      }
      while (j < s.length() && s.charAt(j) == ' ') {
        j++;
      }
      if (j >= s.length() || s.charAt(j) != '{') {
        return -1;
      }
      int close = matchBrace(s, j);
      if (close < 0 || s.substring(j + 1, close).isBlank()) {
        return -1;
      }
      boxes++;
      i = close + 1;
    }
    return boxes;
  }

  private static int matchBrace(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }
}
