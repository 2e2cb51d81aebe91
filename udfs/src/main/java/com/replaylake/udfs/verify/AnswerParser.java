package com.replaylake.udfs.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parses a normalized answer into its {@link Answer} structure. */
final class AnswerParser {
  /** An answer together with its canonical spelling (normalized, spaces removed). */
  record Parsed(Answer answer, String canonical) {}

  /** Answers longer than this are only compared by canonical spelling. */
  static final int MAX_STRUCTURED_LENGTH = 4096;
  private static final int MAX_ITEMS = 256;
  private static final int MAX_PM = 3;

  private AnswerParser() {}

  static Parsed parse(String raw, Budget budget) {
    String s = LatexNormalizer.normalize(raw, budget);
    String canonical = removeSpaces(s);
    if (s.length() > MAX_STRUCTURED_LENGTH) {
      return new Parsed(new Answer.Raw(canonical), canonical);
    }
    return new Parsed(parseNormalized(s, budget, 0), canonical);
  }

  static String removeSpaces(String s) {
    if (s.indexOf(' ') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != ' ') {
        b.append(s.charAt(i));
      }
    }
    return b.toString();
  }

  private static Answer parseNormalized(String s, Budget budget, int level) {
    budget.tick();
    s = s.trim();
    if (level > 4) {
      return new Answer.Raw(removeSpaces(s));
    }
    s = unwrapBraces(s, budget);
    if (s.isEmpty()) {
      return new Answer.Raw("");
    }
    Answer a;
    if ((a = choice(s)) != null || (a = baseNumber(s)) != null) {
      return a;
    }
    if (s.startsWith("\\in") && (s.length() == 3 || !Character.isLetter(s.charAt(3)))) {
      s = s.substring(3).trim();
    }
    int in = s.indexOf("\\in ");
    if (in > 0 && in <= 4 && isVariableName(s.substring(0, in).trim())) {
      s = s.substring(in + 4).trim();
    }
    if (s.startsWith("\\begin{")) {
      a = matrix(s, budget, level);
      if (a != null) {
        return a;
      }
    }
    List<String> union = splitTopLevel(s, "\\cup", budget);
    if (union.size() > 1) {
      List<Answer> parts = new ArrayList<>();
      for (String p : union) {
        Answer part = parseNormalized(p, budget, level + 1);
        if (!(part instanceof Answer.Sequence) && !(part instanceof Answer.Collection)) {
          return new Answer.Raw(removeSpaces(s));
        }
        parts.add(part);
      }
      return new Answer.Union(parts);
    }
    if (s.startsWith("\\{") && s.endsWith("\\}") && s.length() >= 4) {
      return collection(s.substring(2, s.length() - 2), budget, level);
    }
    if (s.length() >= 2 && (s.charAt(0) == '(' || s.charAt(0) == '[')
        && (s.endsWith(")") || s.endsWith("]")) && closesAtEnd(s)) {
      String inner = s.substring(1, s.length() - 1);
      List<String> items = splitTopLevel(inner, ",", budget);
      if (items.size() > 1 && items.size() <= MAX_ITEMS) {
        List<Answer> parsed = new ArrayList<>(items.size());
        for (String item : items) {
          parsed.add(parseNormalized(item, budget, level + 1));
        }
        return new Answer.Sequence(s.charAt(0), s.charAt(s.length() - 1), parsed);
      }
    }
    String thousands = thousandsNumber(s);
    if (thousands != null) {
      s = thousands;
    } else {
      List<String> items = splitTopLevel(s, ",", budget);
      if (items.size() == 1) {
        items = splitWords(s, budget);
      }
      if (items.size() > 1) {
        return collection(s, items, budget, level);
      }
    }
    if (s.contains("\\pm") || s.contains("\\mp")) {
      return plusMinus(s, budget, level);
    }
    Answer interval = inequality(s, budget);
    if (interval != null) {
      return interval;
    }
    List<String> sides = splitTopLevel(s, "=", budget);
    if (sides.size() > 1) {
      return equation(sides, s, budget);
    }
    return scalar(s, budget);
  }

  /** A top-level relation in an inequality: position, length, and kind. */
  private record Relation(int at, int length, boolean less, boolean strict) {}

  /**
   * A one-variable inequality as the interval it denotes: {@code x > 2} is {@code (2, \infty)},
   * {@code x \le 3} is {@code (-\infty, 3]}, {@code -1 < x \le 3} is {@code (-1, 3]}. Null when the
   * text is not such an inequality.
   */
  private static Answer inequality(String s, Budget budget) {
    List<Relation> rels = relations(s, budget);
    if (rels.isEmpty() || rels.size() > 2) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    int from = 0;
    for (Relation r : rels) {
      parts.add(s.substring(from, r.at()).trim());
      from = r.at() + r.length();
    }
    parts.add(s.substring(from).trim());
    try {
      if (rels.size() == 1) {
        Relation r = rels.get(0);
        boolean varLeft = isVariableName(parts.get(0));
        boolean varRight = isVariableName(parts.get(1));
        if (varLeft == varRight) {
          return null;
        }
        Node bound = ExpressionParser.parse(varLeft ? parts.get(1) : parts.get(0), budget);
        // "x < a" and "a > x" bound x from above
        boolean upper = varLeft == r.less();
        return upper
            ? interval(Node.of(Node.Kind.NEG, Node.INFINITY), bound, true, r.strict())
            : interval(bound, Node.INFINITY, r.strict(), true);
      }
      Relation a = rels.get(0);
      Relation b = rels.get(1);
      if (!isVariableName(parts.get(1)) || a.less() != b.less()) {
        return null;
      }
      Node left = ExpressionParser.parse(parts.get(0), budget);
      Node right = ExpressionParser.parse(parts.get(2), budget);
      return a.less()
          ? interval(left, right, a.strict(), b.strict())
          : interval(right, left, b.strict(), a.strict());
    } catch (ParseFailure e) {
      return null;
    }
  }

  private static Answer interval(Node lo, Node hi, boolean openLo, boolean openHi) {
    return new Answer.Sequence(openLo ? '(' : '[', openHi ? ')' : ']',
        List.of(new Answer.Scalar(lo, false), new Answer.Scalar(hi, false)));
  }

  private static List<Relation> relations(String s, Budget budget) {
    List<Relation> out = new ArrayList<>();
    int depth = 0;
    budget.charge(s.length() >> 4);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (depth == 0 && (c == '<' || c == '>')) {
        boolean orEqual = i + 1 < s.length() && s.charAt(i + 1) == '=';
        out.add(new Relation(i, orEqual ? 2 : 1, c == '<', !orEqual));
      } else if (depth == 0 && c == '\\' && (s.startsWith("\\le", i) || s.startsWith("\\ge", i))
          && (i + 3 == s.length() || !Character.isLetter(s.charAt(i + 3)))) {
        out.add(new Relation(i, 3, s.charAt(i + 1) == 'l', false));
      }
    }
    return out;
  }

  private static Answer collection(String inner, Budget budget, int level) {
    if (inner.isBlank()) {
      return new Answer.Collection(List.of());
    }
    return collection(inner, splitTopLevel(inner, ",", budget), budget, level);
  }

  private static Answer collection(String s, List<String> items, Budget budget, int level) {
    if (items.size() > MAX_ITEMS) {
      return new Answer.Raw(removeSpaces(s));
    }
    List<Answer> out = new ArrayList<>(items.size());
    for (String item : items) {
      if (item.isBlank()) {
        continue; // "3, 5, and 7" leaves an empty item between the comma and "and"
      }
      Answer a = parseNormalized(item, budget, level + 1);
      if (a instanceof Answer.Collection c && (item.contains("\\pm") || item.contains("\\mp"))) {
        out.addAll(c.items());
      } else {
        out.add(a);
      }
    }
    return new Answer.Collection(out);
  }

  private static Answer plusMinus(String s, Budget budget, int level) {
    List<String> variants = new ArrayList<>();
    variants.add(s);
    for (int round = 0; round < MAX_PM; round++) {
      List<String> next = new ArrayList<>();
      boolean any = false;
      for (String v : variants) {
        int pm = v.indexOf("\\pm");
        int mp = v.indexOf("\\mp");
        int at = pm < 0 ? mp : (mp < 0 ? pm : Math.min(pm, mp));
        if (at < 0) {
          next.add(v);
          continue;
        }
        any = true;
        boolean plusFirst = at == pm;
        String head = v.substring(0, at);
        String tail = v.substring(at + 3);
        next.add(head + (plusFirst ? "+" : "-") + tail);
        next.add(head + (plusFirst ? "-" : "+") + tail);
      }
      variants = next;
      if (!any) {
        break;
      }
    }
    List<Answer> items = new ArrayList<>();
    for (String v : variants) {
      if (v.contains("\\pm") || v.contains("\\mp")) {
        return new Answer.Raw(removeSpaces(s));
      }
      items.add(parseNormalized(v, budget, level + 1));
    }
    return new Answer.Collection(items);
  }

  private static Answer equation(List<String> sides, String s, Budget budget) {
    try {
      if (sides.size() > 2) {
        // a chain such as "x = 2 + 3 = 5": the value is the last side
        String first = sides.get(0).trim();
        Node last = ExpressionParser.parse(sides.get(sides.size() - 1).trim(), budget);
        if (isVariableName(first)) {
          return new Answer.Equation(ExpressionParser.parse(first, budget), last, first);
        }
        return new Answer.Scalar(last, false);
      }
      String l = sides.get(0).trim();
      String r = sides.get(1).trim();
      Node lhs = ExpressionParser.parse(l, budget);
      Node rhs = ExpressionParser.parse(stripPercent(r), budget);
      String var = lhs.kind == Node.Kind.VAR ? lhs.name : null;
      return new Answer.Equation(lhs, rhs, var);
    } catch (ParseFailure e) {
      return new Answer.Raw(removeSpaces(s));
    }
  }

  private static Answer scalar(String s, Budget budget) {
    boolean percent = false;
    String t = s;
    if (t.endsWith("%")) {
      percent = true;
      t = t.substring(0, t.length() - 1).trim();
    }
    if (t.isEmpty()) {
      return new Answer.Raw(removeSpaces(s));
    }
    Answer text = text(t);
    if (text != null && !percent) {
      return text;
    }
    String mixed = plainMixedNumber(t);
    if (mixed != null) {
      t = mixed;
    }
    try {
      return new Answer.Scalar(ExpressionParser.parse(t, budget), percent);
    } catch (ParseFailure e) {
      return new Answer.Raw(removeSpaces(s));
    }
  }

  private static String stripPercent(String s) {
    return s.endsWith("%") ? s.substring(0, s.length() - 1) : s;
  }

  /** "2 1/2" and "-3 3/4" are mixed numbers in plain text. */
  private static String plainMixedNumber(String t) {
    int sp = t.indexOf(' ');
    if (sp <= 0 || t.indexOf(' ', sp + 1) >= 0) {
      return null;
    }
    String whole = t.substring(0, sp);
    String frac = t.substring(sp + 1);
    int slash = frac.indexOf('/');
    boolean neg = whole.startsWith("-");
    String w = neg ? whole.substring(1) : whole;
    if (slash <= 0 || !allDigits(w) || !allDigits(frac.substring(0, slash))
        || !allDigits(frac.substring(slash + 1))) {
      return null;
    }
    return (neg ? "-" : "") + "(" + w + "+" + frac + ")";
  }

  private static boolean allDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static Answer text(String s) {
    boolean longWord = false;
    int run = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isLetter(c)) {
        run++;
        longWord |= run >= 3;
      } else if (c == ' ' || c == '-' || c == '\'') {
        run = 0;
      } else {
        return null;
      }
    }
    return longWord ? new Answer.Text(removeSpaces(s).toLowerCase(Locale.ROOT)) : null;
  }

  /** Scalar answers that are words ("east", "Evelyn") are text, not products of variables. */
  private static Answer choice(String s) {
    String t = removeSpaces(s);
    if (t.startsWith("(") && t.endsWith(")") && t.length() == 3) {
      char c = t.charAt(1);
      if ((c >= 'A' && c <= 'E') || (c >= 'a' && c <= 'e')) {
        return new Answer.Choice(Character.toUpperCase(c));
      }
    }
    if (t.length() == 2 && t.charAt(1) == ')' && t.charAt(0) >= 'A' && t.charAt(0) <= 'E') {
      return new Answer.Choice(t.charAt(0));
    }
    if (t.length() == 1 && t.charAt(0) >= 'A' && t.charAt(0) <= 'E') {
      return new Answer.Choice(t.charAt(0));
    }
    // "(C) 12", "C) 12" or "C. 12": an option letter followed by the option's text
    String trimmed = s.trim();
    int letter = trimmed.startsWith("(") ? 1 : 0;
    int after = letter + 1;
    if (trimmed.length() > after + 1 && trimmed.charAt(letter) >= 'A' && trimmed.charAt(letter) <= 'E'
        && (trimmed.charAt(after) == ')' || (letter == 0 && trimmed.charAt(after) == '.'))
        && trimmed.charAt(after + 1) == ' ') {
      return new Answer.Choice(trimmed.charAt(letter));
    }
    return null;
  }

  private static Answer baseNumber(String s) {
    String t = removeSpaces(s);
    int u = t.indexOf('_');
    if (u <= 0) {
      return null;
    }
    String digits = t.substring(0, u);
    String base = t.substring(u + 1);
    if (base.startsWith("{") && base.endsWith("}")) {
      base = base.substring(1, base.length() - 1);
    }
    if (digits.startsWith("(") && digits.endsWith(")")) {
      digits = digits.substring(1, digits.length() - 1);
    }
    if (digits.isEmpty() || base.isEmpty() || !allDigits(base)) {
      return null;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isLetterOrDigit(digits.charAt(i))) {
        return null;
      }
    }
    if (!Character.isDigit(digits.charAt(0))) {
      return null;
    }
    return new Answer.BaseNumber(digits.toUpperCase(Locale.ROOT), base.replaceFirst("^0+(?=.)", ""));
  }

  private static Answer matrix(String s, Budget budget, int level) {
    int nameEnd = s.indexOf('}');
    if (nameEnd < 0) {
      return null;
    }
    String env = s.substring(7, nameEnd);
    String end = "\\end{" + env + "}";
    if (!s.endsWith(end)) {
      return null;
    }
    String body = s.substring(nameEnd + 1, s.length() - end.length());
    List<List<Answer>> rows = new ArrayList<>();
    for (String row : splitTopLevel(body, "\\\\", budget)) {
      if (row.isBlank()) {
        continue;
      }
      List<Answer> cells = new ArrayList<>();
      for (String cell : splitTopLevel(row, "&", budget)) {
        cells.add(parseNormalized(cell, budget, level + 1));
      }
      rows.add(cells);
      if (rows.size() > MAX_ITEMS) {
        return null;
      }
    }
    return rows.isEmpty() ? null : new Answer.Matrix(rows);
  }

  private static String unwrapBraces(String s, Budget budget) {
    for (int k = 0; k < 8 && s.length() >= 2 && s.charAt(0) == '{'
        && s.charAt(s.length() - 1) == '}'
        && LatexNormalizer.matchBrace(s, 0, budget) == s.length() - 1; k++) {
      s = s.substring(1, s.length() - 1).trim();
    }
    return s;
  }

  /** Whether the bracket opening {@code s} closes exactly at its last character. */
  private static boolean closesAtEnd(String s) {
    int depth = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
        if (depth == 0 && i != s.length() - 1) {
          return false;
        }
      }
    }
    return depth == 0;
  }

  /** "1,234,567" or "12,345.5" written with thousands separators; null otherwise. */
  private static String thousandsNumber(String s) {
    String t = removeSpaces(s);
    int i = t.startsWith("-") ? 1 : 0;
    int firstGroup = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
      firstGroup++;
    }
    if (firstGroup == 0 || firstGroup > 3 || i >= t.length() || t.charAt(i) != ',') {
      return null;
    }
    while (i < t.length() && t.charAt(i) == ',') {
      int g = 0;
      i++;
      while (i < t.length() && Character.isDigit(t.charAt(i))) {
        i++;
        g++;
      }
      if (g != 3) {
        return null;
      }
    }
    if (i < t.length() && t.charAt(i) == '.') {
      i++;
      int frac = 0;
      while (i < t.length() && Character.isDigit(t.charAt(i))) {
        i++;
        frac++;
      }
      if (frac == 0) {
        return null;
      }
    }
    return i == t.length() ? t.replace(",", "") : null;
  }

  private static boolean isVariableName(String s) {
    if (s.isEmpty()) {
      return false;
    }
    if (s.length() == 1) {
      return Character.isLetter(s.charAt(0));
    }
    if (s.startsWith("\\") && s.length() > 1) {
      for (int i = 1; i < s.length(); i++) {
        if (!Character.isLetter(s.charAt(i))) {
          return false;
        }
      }
      return true;
    }
    return s.length() <= 6 && Character.isLetter(s.charAt(0)) && s.indexOf('_') == 1;
  }

  /** Splits on " and " / " or " between list items, outside brackets. */
  private static List<String> splitWords(String s, Budget budget) {
    if (!s.contains(" and ") && !s.contains(" or ")) {
      return List.of(s);
    }
    String t = s.replace(" and ", " , ").replace(" or ", " , ");
    return splitTopLevel(t, ",", budget);
  }

  /** Splits at {@code sep} outside (), [], {} and \{ \}. */
  static List<String> splitTopLevel(String s, String sep, Budget budget) {
    List<String> out = null;
    int depth = 0;
    int start = 0;
    int n = s.length();
    budget.charge(n >> 4);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '\\' && !s.startsWith(sep, i)) {
        if (i + 1 < n && (s.charAt(i + 1) == '{' || s.charAt(i + 1) == '}')) {
          depth += s.charAt(i + 1) == '{' ? 1 : -1;
          i++;
          continue;
        }
        if (s.startsWith("\\begin", i)) {
          depth++;
        } else if (s.startsWith("\\end", i)) {
          depth--;
        }
        continue;
      }
      if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (depth == 0 && s.startsWith(sep, i)) {
        if (out == null) {
          out = new ArrayList<>();
        }
        out.add(s.substring(start, i));
        i += sep.length() - 1;
        start = i + 1;
      }
    }
    if (out == null) {
      return List.of(s);
    }
    out.add(s.substring(start));
    return out;
  }
}
