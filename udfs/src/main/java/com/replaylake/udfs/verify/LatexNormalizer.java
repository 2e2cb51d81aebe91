package com.replaylake.udfs.verify;

import java.util.Set;

/**
 * Turns an extracted answer into a canonical spelling before parsing: unicode math symbols to
 * LaTeX, presentation commands removed ({@code \left}, {@code \right}, {@code \!}, {@code \,},
 * {@code \displaystyle}, font commands), {@code \dfrac}/{@code \tfrac} to {@code \frac}, degree
 * marks, currency, {@code \text{...}} units, trailing unit words and sentence punctuation.
 *
 * <p>Every pass is a single linear scan charged to the {@link Budget}; no regular expressions with
 * backtracking are used, so megabyte inputs stay linear.
 */
final class LatexNormalizer {
  private static final Set<String> DROP_COMMANDS = Set.of(
      "left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "bigg", "Bigg", "biggl",
      "biggr", "displaystyle", "textstyle", "limits", "nolimits", "quad", "qquad", "enspace",
      "hfill", "degree", "circ", "dollar", "mathstrut", "strut", "middle");
  private static final Set<String> UNWRAP_COMMANDS = Set.of(
      "mathrm", "mathbf", "textbf", "mathit", "textit", "boldsymbol", "bm", "mathsf", "emph",
      "underline", "mathnormal", "mathbb", "pmb", "boxed", "fbox", "hbox");
  private static final Set<String> TEXT_COMMANDS = Set.of(
      "text", "textrm", "mbox", "textnormal", "textup", "textsf", "texttt", "operatorname");
  private static final Set<String> PLAIN_FUNCTIONS = Set.of(
      "sqrt", "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh",
      "cosh", "tanh", "ln", "log", "exp", "pi", "infty", "infinity");
  private static final Set<String> SHORT_UNITS = Set.of(
      "cm", "mm", "km", "kg", "mg", "ft", "yd", "mi", "hr", "ml", "oz", "lb", "lbs", "m", "s",
      "g", "h", "in");

  /** Nesting depth of font/text commands that are rewritten; deeper content is kept verbatim. */
  private static final int MAX_NESTED_REWRITES = 32;

  private LatexNormalizer() {}

  /** Returns the canonical spelling of {@code raw}; never null. */
  static String normalize(String raw, Budget budget) {
    budget.charge(raw.length() >> 4);
    if (isPlainNumeric(raw)) {
      return collapseSpaces(raw, budget);
    }
    String s = raw.indexOf('$') >= 0 ? raw.replace("\\$", "") : raw;
    if (s.indexOf("{,}") >= 0) {
      s = s.replace("{,}", ",");
    }
    s = mapUnicode(s, budget);
    s = rewriteCommands(s, budget, 0);
    s = collapseSpaces(s, budget);
    s = stripTrailingWords(s);
    s = stripEdges(s);
    return s;
  }

  /** Digits, signs, separators and spaces only: nothing to normalize but spaces. */
  private static boolean isPlainNumeric(String s) {
    if (s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || c == '.' || c == ',' || c == '-' || c == '+' || c == '/'
          || c == ' ')) {
        return false;
      }
    }
    return true;
  }

  private static String mapUnicode(String s, Budget budget) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = null;
      if (c < 0x80) {
        if (c == '$' || c == '\t' || c == '\n' || c == '\r' || c == '~') {
          rep = c == '$' ? "" : " ";
        }
      } else {
        rep = unicodeReplacement(c);
        if (c == '\u221a') { // √ followed by digits: take all of them as the radicand
          int j = i + 1;
          while (j < s.length() && Character.isDigit(s.charAt(j))) {
            j++;
          }
          if (j > i + 1) {
            rep = "\\sqrt{" + s.substring(i + 1, j) + "}";
            if (out == null) {
              out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            out.append(rep);
            i = j - 1;
            continue;
          }
        }
      }
      if (rep != null) {
        if (out == null) {
          out = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        out.append(rep);
      } else if (out != null) {
        out.append(c);
      }
    }
    budget.charge(s.length() >> 3);
    return out == null ? s : out.toString();
  }

  private static String unicodeReplacement(char c) {
    switch (c) {
      case '\u2212': case '\u2013': case '\u2014': case '\u2012': case '\ufe63': case '\uff0d':
        return "-";
      case '\u00d7': case '\u22c5': case '\u00b7': case '\u2219': case '\u2217':
        return "\\cdot ";
      case '\u00f7': case '\u2215': case '\u2044':
        return "/";
      case '\u221a':
        return "\\sqrt";
      case '\u221b':
        return "\\sqrt[3]";
      case '\u03c0':
        return "\\pi ";
      case '\u221e':
        return "\\infty ";
      case '\u2264': case '\u2a7d':
        return "\\le ";
      case '\u2265': case '\u2a7e':
        return "\\ge ";
      case '\u2260':
        return "\\ne ";
      case '\u222a':
        return "\\cup ";
      case '\u2229':
        return "\\cap ";
      case '\u00b1':
        return "\\pm ";
      case '\u2213':
        return "\\mp ";
      case '\u2208':
        return "\\in ";
      case '\u2205':
        return "\\emptyset ";
      case '\u00b0': case '\u00ba':
        return "";
      case '\u00b2':
        return "^2";
      case '\u00b3':
        return "^3";
      case '\u00b9':
        return "^1";
      case '\u2070':
        return "^0";
      case '\u2074': case '\u2075': case '\u2076': case '\u2077': case '\u2078': case '\u2079':
        return "^" + (char) ('4' + (c - '\u2074'));
      case '\u00bd':
        return "\\frac{1}{2}";
      case '\u2153':
        return "\\frac{1}{3}";
      case '\u2154':
        return "\\frac{2}{3}";
      case '\u00bc':
        return "\\frac{1}{4}";
      case '\u00be':
        return "\\frac{3}{4}";
      case '\u2155':
        return "\\frac{1}{5}";
      case '\u2156':
        return "\\frac{2}{5}";
      case '\u2157':
        return "\\frac{3}{5}";
      case '\u2158':
        return "\\frac{4}{5}";
      case '\u2159':
        return "\\frac{1}{6}";
      case '\u215a':
        return "\\frac{5}{6}";
      case '\u215b':
        return "\\frac{1}{8}";
      case '\u215c':
        return "\\frac{3}{8}";
      case '\u215d':
        return "\\frac{5}{8}";
      case '\u215e':
        return "\\frac{7}{8}";
      case '\u00a0': case '\u2009': case '\u200a': case '\u2002': case '\u2003': case '\u202f':
      case '\u3000':
        return " ";
      case '\u200b': case '\u2060': case '\ufeff':
        return "";
      case '\uff08':
        return "(";
      case '\uff09':
        return ")";
      case '\uff0c':
        return ",";
      case '\u2032':
        return "'";
      case '\u03b8':
        return "\\theta ";
      case '\u03b1':
        return "\\alpha ";
      case '\u03b2':
        return "\\beta ";
      default:
        if (c >= '\uff10' && c <= '\uff19') {
          return String.valueOf((char) ('0' + (c - '\uff10')));
        }
        return null;
    }
  }

  /** One scan over commands: drop, rename, unwrap, and resolve {@code \text{...}}. */
  private static String rewriteCommands(String s, Budget budget, int depth) {
    if ((s.indexOf('\\') < 0 && !hasPlainFunctionWord(s)) || depth > MAX_NESTED_REWRITES) {
      return s; // deeper nesting is left as written; the parser will reject it
    }
    StringBuilder out = new StringBuilder(s.length());
    int n = s.length();
    int i = 0;
    while (i < n) {
      budget.tick();
      char c = s.charAt(i);
      if (c != '\\') {
        if (Character.isLetter(c) && (i == 0 || !Character.isLetter(s.charAt(i - 1)))) {
          int j = i;
          while (j < n && Character.isLetter(s.charAt(j))) {
            j++;
          }
          String word = s.substring(i, j);
          if (PLAIN_FUNCTIONS.contains(word) && (i == 0 || s.charAt(i - 1) != '\\')) {
            out.append('\\').append(word.equals("infinity") ? "infty" : word);
            if (j < n && Character.isLetterOrDigit(s.charAt(j))) {
              out.append(' ');
            }
          } else {
            out.append(word);
          }
          i = j;
          continue;
        }
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 >= n) {
        i++;
        continue;
      }
      char d = s.charAt(i + 1);
      if (!Character.isLetter(d)) {
        switch (d) {
          case '!': case ',': case ';': case ':': case '>':
            break; // spacing
          case ' ':
            out.append(' ');
            break;
          case '%':
            out.append('%');
            break;
          case '$': case '(': case ')': case '[': case ']':
            break; // currency and math delimiters
          case '\\':
            out.append("\\\\");
            break;
          default:
            out.append('\\').append(d);
        }
        i += 2;
        continue;
      }
      int j = i + 1;
      while (j < n && Character.isLetter(s.charAt(j))) {
        j++;
      }
      String cmd = s.substring(i + 1, j);
      if (DROP_COMMANDS.contains(cmd)) {
        if ((cmd.equals("circ") || cmd.equals("degree")) && endsWithCaret(out)) {
          trimCaret(out);
        }
        i = j;
        if ((cmd.equals("left") || cmd.equals("right")) && i < n && s.charAt(i) == '.') {
          i++;
        }
        continue;
      }
      if (UNWRAP_COMMANDS.contains(cmd) || TEXT_COMMANDS.contains(cmd)) {
        int k = j;
        while (k < n && s.charAt(k) == ' ') {
          k++;
        }
        if (k < n && s.charAt(k) == '{') {
          int close = matchBrace(s, k, budget);
          if (close > 0) {
            String inner = s.substring(k + 1, close);
            int after = close + 1;
            if (TEXT_COMMANDS.contains(cmd) && !cmd.equals("operatorname")) {
              boolean whole = out.toString().isBlank() && s.substring(after).isBlank();
              after = appendText(out, inner, whole, s, after, budget, depth);
            } else if (cmd.equals("operatorname")) {
              out.append('\\').append(inner.trim()).append(' ');
            } else {
              out.append(rewriteCommands(inner, budget, depth + 1));
            }
            i = after;
            continue;
          }
        }
        i = j;
        continue;
      }
      switch (cmd) {
        case "dfrac": case "tfrac": case "cfrac":
          out.append("\\frac");
          break;
        case "dbinom": case "tbinom":
          out.append("\\binom");
          break;
        case "leq": case "leqslant": case "le":
          out.append("\\le ");
          break;
        case "geq": case "geqslant": case "ge":
          out.append("\\ge ");
          break;
        case "neq": case "ne":
          out.append("\\ne ");
          break;
        case "lt":
          out.append('<');
          break;
        case "gt":
          out.append('>');
          break;
        case "infinity": case "infin":
          out.append("\\infty");
          break;
        case "varnothing": case "emptyset":
          out.append("\\{\\}");
          break;
        case "lbrace":
          out.append("\\{");
          break;
        case "rbrace":
          out.append("\\}");
          break;
        case "lvert": case "rvert": case "vert":
          out.append('|');
          break;
        case "colon":
          out.append(':');
          break;
        default:
          out.append('\\').append(cmd);
          if (j < n && Character.isLetterOrDigit(s.charAt(j))) {
            out.append(' ');
          }
      }
      i = j;
    }
    return out.toString();
  }

  private static boolean hasPlainFunctionWord(String s) {
    for (String f : PLAIN_FUNCTIONS) {
      if (s.contains(f)) {
        return true;
      }
    }
    return false;
  }

  private static boolean endsWithCaret(StringBuilder out) {
    int k = out.length() - 1;
    while (k >= 0 && (out.charAt(k) == ' ' || out.charAt(k) == '{')) {
      k--;
    }
    return k >= 0 && out.charAt(k) == '^';
  }

  private static void trimCaret(StringBuilder out) {
    int k = out.length() - 1;
    boolean brace = false;
    while (k >= 0 && (out.charAt(k) == ' ' || out.charAt(k) == '{')) {
      brace |= out.charAt(k) == '{';
      k--;
    }
    out.setLength(k); // drops '^' and anything after it
    if (brace) {
      out.append('\u0001'); // marker: the matching '}' must be dropped too
    }
  }

  /**
   * Resolves {@code \text{inner}}: a whole-answer text is kept, "and"/"or" become list commas,
   * math-looking content is unwrapped, and words (units) are dropped with a following
   * {@code ^2}/{@code ^3}. Returns the position to continue scanning from.
   */
  private static int appendText(
      StringBuilder out, String inner, boolean whole, String s, int after, Budget budget,
      int depth) {
    String t = inner.trim();
    if (whole) {
      out.append(rewriteCommands(inner, budget, depth + 1));
      return after;
    }
    String lower = t.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("and") || lower.equals("or") || lower.equals(",") || lower.equals("and,")) {
      out.append(',');
      return after;
    }
    if (lower.equals("percent") || lower.equals("%")) {
      out.append('%');
      return after;
    }
    boolean words = !t.isEmpty();
    for (int k = 0; k < t.length(); k++) {
      char c = t.charAt(k);
      if (!(Character.isLetter(c) || c == ' ' || c == '.' || c == '\'' || c == '-')) {
        words = false;
        break;
      }
    }
    if (!words) {
      out.append(rewriteCommands(inner, budget, depth + 1));
      return after;
    }
    if (t.length() == 1 && !out.toString().isBlank()) {
      // a one-letter \text{x} inside math is a variable
      out.append(t);
      return after;
    }
    // A unit: drop it, with an exponent that belongs to it ("\text{cm}^2").
    int k = after;
    while (k < s.length() && s.charAt(k) == ' ') {
      k++;
    }
    if (k < s.length() && s.charAt(k) == '^') {
      int e = k + 1;
      if (e < s.length() && (s.charAt(e) == '2' || s.charAt(e) == '3')) {
        return e + 1;
      }
      if (s.startsWith("{2}", e) || s.startsWith("{3}", e)) {
        return e + 3;
      }
    }
    out.append(' ');
    return after;
  }

  /** Index of the brace closing the one at {@code open}, honouring escapes; -1 if unbalanced. */
  static int matchBrace(CharSequence s, int open, Budget budget) {
    int depth = 0;
    int n = s.length();
    for (int i = open; i < n; i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        if (--depth == 0) {
          budget.charge((i - open) >> 4);
          return i;
        }
      }
    }
    budget.charge((n - open) >> 4);
    return -1;
  }

  private static String collapseSpaces(String s, Budget budget) {
    int n = s.length();
    StringBuilder out = null;
    boolean space = false;
    int braceSkips = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '\u0001') { // a "^{\circ}" removal left its closing brace behind
        braceSkips++;
        if (out == null) {
          out = new StringBuilder(n).append(s, 0, i);
        }
        continue;
      }
      if (braceSkips > 0 && c == '}') {
        braceSkips--;
        continue;
      }
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
        if (out == null) {
          out = new StringBuilder(n).append(s, 0, i);
        }
        space = true;
        continue;
      }
      if (out != null) {
        if (space && out.length() > 0) {
          out.append(' ');
        }
        out.append(c);
      }
      space = false;
    }
    budget.charge(n >> 4);
    return out == null ? s : out.toString();
  }

  /** Drops trailing unit words after a number: "18 dollars", "5 cm^2", "3.5 hours.". */
  private static String stripTrailingWords(String s) {
    int cut = s.length();
    int words = 0;
    boolean percent = false;
    while (true) {
      int k = cut;
      while (k > 0 && (s.charAt(k - 1) == '.' || s.charAt(k - 1) == ' ')) {
        k--;
      }
      if (k >= 2 && s.charAt(k - 2) == '^' && (s.charAt(k - 1) == '2' || s.charAt(k - 1) == '3')) {
        k -= 2;
      }
      int wordEnd = k;
      while (k > 0 && s.charAt(k - 1) < 0x80 && Character.isLetter(s.charAt(k - 1))) {
        k--;
      }
      if (k == wordEnd || k == 0 || s.charAt(k - 1) != ' ') {
        break;
      }
      String word = s.substring(k, wordEnd);
      if (word.length() < 3 && !SHORT_UNITS.contains(word)) {
        break;
      }
      percent |= word.equalsIgnoreCase("percent");
      cut = k - 1;
      words++;
    }
    if (words == 0) {
      return s;
    }
    int end = cut;
    while (end > 0 && s.charAt(end - 1) == ' ') {
      end--;
    }
    if (end == 0) {
      return s;
    }
    char last = s.charAt(end - 1);
    if (!(Character.isDigit(last) || last == '}' || last == '%')) {
      return s;
    }
    return percent ? s.substring(0, end) + "%" : s.substring(0, end);
  }

  private static String stripEdges(String s) {
    int a = 0;
    int b = s.length();
    while (b > a) {
      char c = s.charAt(b - 1);
      if (c == '.' || c == ' ' || c == ';' || c == ',' || c == ':') {
        b--;
      } else {
        break;
      }
    }
    while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == ':')) {
      a++;
    }
    return a == 0 && b == s.length() ? s : s.substring(a, b);
  }
}
