package com.replaylake.udfs.verify;

import java.util.Arrays;
import java.util.Set;

/**
 * Recursive-descent parser for one scalar expression in normalized LaTeX or plain notation:
 * numbers, variables, {@code + - * / ^ !}, implicit multiplication, {@code \frac}, {@code \sqrt},
 * {@code \binom}, {@code |x|}, constants ({@code \pi}, {@code e}, {@code i}, {@code \infty}) and
 * elementary functions.
 *
 * <p>Recursion is bounded by {@link #MAX_DEPTH} and every step is charged to the check's
 * {@link Budget}, so hostile input (deep nesting, huge literals) fails fast instead of overflowing
 * the stack or running long.
 */
final class ExpressionParser {
  /** Nesting limit (each bracket level uses about three). */
  static final int MAX_DEPTH = 300;
  /** Longest expression the parser accepts. */
  static final int MAX_LENGTH = 4096;

  private static final Set<String> FUNCTIONS = Set.of(
      "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
      "tanh", "ln", "log", "exp");
  private static final Set<String> GREEK = Set.of(
      "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
      "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon",
      "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma",
      "Phi", "Psi", "Omega");

  private final String s;
  private final Budget budget;
  private int pos;
  private int depth;
  private int absDepth;

  private ExpressionParser(String s, Budget budget) {
    this.s = s;
    this.budget = budget;
  }

  static Node parse(String text, Budget budget) throws ParseFailure {
    if (text.length() > MAX_LENGTH) {
      throw new ParseFailure("expression longer than " + MAX_LENGTH + " characters");
    }
    ExpressionParser p = new ExpressionParser(text, budget);
    p.skipWs();
    if (p.pos == text.length()) {
      throw new ParseFailure("empty expression");
    }
    Node n = p.parseSum();
    p.skipWs();
    if (p.pos != text.length()) {
      throw new ParseFailure("unexpected '" + text.charAt(p.pos) + "' at " + p.pos);
    }
    return n;
  }

  private void enter() throws ParseFailure {
    if (++depth > MAX_DEPTH) {
      throw new ParseFailure("nesting deeper than " + MAX_DEPTH);
    }
  }

  private void skipWs() {
    while (pos < s.length() && s.charAt(pos) == ' ') {
      pos++;
    }
    budget.tick();
  }

  private boolean atEnd() {
    return pos >= s.length();
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private String peekCommand() {
    if (peek() != '\\') {
      return null;
    }
    int i = pos + 1;
    while (i < s.length() && Character.isLetter(s.charAt(i))) {
      i++;
    }
    return i == pos + 1 ? (i < s.length() ? String.valueOf(s.charAt(i)) : "") : s.substring(pos + 1, i);
  }

  private void consumeCommand(String name) {
    pos += 1 + name.length();
  }

  private Node parseSum() throws ParseFailure {
    enter();
    Node first = parseTerm();
    Node[] terms = null;
    int n = 0;
    while (true) {
      skipWs();
      char c = peek();
      Node next;
      if (c == '+') {
        pos++;
        next = parseTerm();
      } else if (c == '-') {
        pos++;
        next = Node.of(Node.Kind.NEG, parseTerm());
      } else {
        break;
      }
      if (terms == null) {
        terms = new Node[4];
        terms[n++] = first;
      }
      if (n == terms.length) {
        terms = Arrays.copyOf(terms, n * 2);
      }
      terms[n++] = next;
    }
    depth--;
    return terms == null ? first : Node.of(Node.Kind.ADD, Arrays.copyOf(terms, n));
  }

  private Node parseTerm() throws ParseFailure {
    Node acc = parseUnary();
    while (true) {
      skipWs();
      char c = peek();
      if (c == '*') {
        pos++;
        acc = multiply(acc, parseUnary());
      } else if (c == '/') {
        pos++;
        acc = Node.of(Node.Kind.DIV, acc, parseUnary());
      } else if (c == '\\') {
        String cmd = peekCommand();
        if ("cdot".equals(cmd) || "times".equals(cmd) || "ast".equals(cmd)) {
          consumeCommand(cmd);
          acc = multiply(acc, parseUnary());
        } else if ("div".equals(cmd)) {
          consumeCommand(cmd);
          acc = Node.of(Node.Kind.DIV, acc, parseUnary());
        } else if (startsImplicitFactor()) {
          acc = multiply(acc, parsePower());
        } else {
          return acc;
        }
      } else if (startsImplicitFactor()) {
        acc = multiply(acc, parsePower());
      } else {
        return acc;
      }
    }
  }

  private static Node multiply(Node a, Node b) {
    if (a.kind == Node.Kind.MUL) {
      Node[] k = Arrays.copyOf(a.kids, a.kids.length + 1);
      k[a.kids.length] = b;
      return Node.of(Node.Kind.MUL, k);
    }
    return Node.of(Node.Kind.MUL, a, b);
  }

  private boolean startsImplicitFactor() {
    if (atEnd()) {
      return false;
    }
    char c = peek();
    if (Character.isDigit(c) || c == '.' || c == '(' || c == '{' || Character.isLetter(c)) {
      return true;
    }
    if (c == '|') {
      return absDepth == 0;
    }
    if (c == '\\') {
      String cmd = peekCommand();
      return cmd != null && (FUNCTIONS.contains(cmd) || GREEK.contains(cmd) || cmd.equals("frac")
          || cmd.equals("sqrt") || cmd.equals("pi") || cmd.equals("binom")
          || cmd.equals("infty"));
    }
    return false;
  }

  private Node parseUnary() throws ParseFailure {
    enter();
    skipWs();
    Node r;
    char c = peek();
    if (c == '-') {
      pos++;
      r = Node.of(Node.Kind.NEG, parseUnary());
    } else if (c == '+') {
      pos++;
      r = parseUnary();
    } else {
      r = parsePower();
    }
    depth--;
    return r;
  }

  private Node parsePower() throws ParseFailure {
    enter();
    Node base = parsePostfix();
    skipWs();
    if (peek() == '^') {
      pos++;
      Node exponent = parseExponent();
      base = Node.of(Node.Kind.POW, base, exponent);
      skipWs();
      while (peek() == '!') {
        pos++;
        base = Node.of(Node.Kind.FACT, base);
      }
    }
    depth--;
    return base;
  }

  private Node parseExponent() throws ParseFailure {
    skipWs();
    char c = peek();
    if (c == '{') {
      return parseGroup('{', '}');
    }
    if (c == '-') {
      pos++;
      return Node.of(Node.Kind.NEG, parseExponent());
    }
    if (c == '+') {
      pos++;
      return parseExponent();
    }
    return parsePower();
  }

  private Node parsePostfix() throws ParseFailure {
    Node p = parsePrimary();
    while (true) {
      skipWs();
      if (peek() == '!') {
        pos++;
        p = Node.of(Node.Kind.FACT, p);
      } else {
        return p;
      }
    }
  }

  private Node parseGroup(char open, char close) throws ParseFailure {
    if (peek() != open) {
      throw new ParseFailure("expected '" + open + "' at " + pos);
    }
    pos++;
    int savedAbs = absDepth;
    absDepth = 0;
    Node inner = parseSum();
    absDepth = savedAbs;
    skipWs();
    if (peek() != close) {
      throw new ParseFailure("expected '" + close + "' at " + pos);
    }
    pos++;
    return inner;
  }

  private Node parsePrimary() throws ParseFailure {
    skipWs();
    if (atEnd()) {
      throw new ParseFailure("unexpected end of expression");
    }
    char c = peek();
    if (Character.isDigit(c) || c == '.') {
      return parseNumberOrMixed();
    }
    if (c == '(') {
      return parseGroup('(', ')');
    }
    if (c == '[') {
      return parseGroup('[', ']');
    }
    if (c == '{') {
      return parseGroup('{', '}');
    }
    if (c == '|') {
      pos++;
      absDepth++;
      Node inner = parseSum();
      absDepth--;
      skipWs();
      if (peek() != '|') {
        throw new ParseFailure("unclosed |");
      }
      pos++;
      return Node.of(Node.Kind.ABS, inner);
    }
    if (c == '\\') {
      return parseCommand();
    }
    if (Character.isLetter(c)) {
      pos++;
      String name = String.valueOf(c);
      if (peek() == '_') {
        return Node.variable(name + "_" + readSubscript());
      }
      if (c == 'i') {
        return Node.IMAGINARY;
      }
      if (c == 'e') {
        return Node.EULER;
      }
      return Node.variable(name);
    }
    throw new ParseFailure("unexpected '" + c + "' at " + pos);
  }

  private String readSubscript() throws ParseFailure {
    pos++; // '_'
    skipWs();
    if (peek() == '{') {
      int close = matchBrace(pos);
      String sub = s.substring(pos + 1, close).replace(" ", "");
      pos = close + 1;
      return sub;
    }
    if (atEnd()) {
      throw new ParseFailure("empty subscript");
    }
    return String.valueOf(s.charAt(pos++));
  }

  private int matchBrace(int open) throws ParseFailure {
    int d = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        d++;
      } else if (c == '}' && --d == 0) {
        return i;
      }
    }
    throw new ParseFailure("unbalanced braces");
  }

  private Node parseNumberOrMixed() throws ParseFailure {
    int start = pos;
    BigRational v = readNumber();
    if (v.isInteger() && isPlainInteger(start, pos)) {
      // "2\frac{1}{2}" is the mixed number 5/2, not a product.
      int save = pos;
      skipWs();
      if ("frac".equals(peekCommand())) {
        consumeCommand("frac");
        BigRational a = readIntegerArgument();
        BigRational b = a == null ? null : readIntegerArgument();
        if (a != null && b != null && b.signum() != 0) {
          return Node.number(v.add(a.divide(b)));
        }
      }
      pos = save;
    }
    return Node.number(v);
  }

  private boolean isPlainInteger(int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private BigRational readIntegerArgument() {
    skipWs();
    if (peek() == '{') {
      int i = pos + 1;
      while (i < s.length() && s.charAt(i) == ' ') {
        i++;
      }
      int d0 = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      int d1 = i;
      while (i < s.length() && s.charAt(i) == ' ') {
        i++;
      }
      if (d1 > d0 && i < s.length() && s.charAt(i) == '}') {
        pos = i + 1;
        return BigRational.parseDecimal(s.substring(d0, d1));
      }
      return null;
    }
    if (Character.isDigit(peek())) {
      return BigRational.of(s.charAt(pos++) - '0');
    }
    return null;
  }

  private BigRational readNumber() throws ParseFailure {
    int start = pos;
    while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
      pos++;
    }
    if (pos < s.length() && s.charAt(pos) == '.'
        && pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1))) {
      pos++;
      while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
        pos++;
      }
    } else if (pos < s.length() && s.charAt(pos) == '.' && s.startsWith("\\overline{", pos + 1)) {
      pos++; // "0.\overline{3}"
    } else if (pos < s.length() && s.charAt(pos) == '.' && pos == start) {
      throw new ParseFailure("lone '.'");
    }
    // Scientific notation: 1.5e3, 2E-4 (but "2e" alone is 2 times Euler's number).
    if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      int j = pos + 1;
      if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
        j++;
      }
      if (j < s.length() && Character.isDigit(s.charAt(j))) {
        while (j < s.length() && Character.isDigit(s.charAt(j))) {
          j++;
        }
        pos = j;
      }
    }
    budget.charge(pos - start);
    String literal = s.substring(start, pos);
    if (literal.startsWith(".")) {
      literal = "0" + literal;
    }
    BigRational v = BigRational.parseDecimal(literal);
    if (v == null) {
      throw new ParseFailure("bad number '" + literal + "'");
    }
    if (s.startsWith("\\overline{", pos) && literal.indexOf('e') < 0 && literal.indexOf('E') < 0) {
      return repeatingDecimal(literal, v);
    }
    return v;
  }

  /** "0.1\overline{6}" (a repeating decimal) is exactly 1/6. */
  private BigRational repeatingDecimal(String literal, BigRational prefix) throws ParseFailure {
    int open = pos + "\\overline".length();
    int close = s.indexOf('}', open);
    String digits = close < 0 ? "" : s.substring(open + 1, close).trim();
    if (digits.isEmpty() || digits.length() > 64 || !digits.chars().allMatch(Character::isDigit)) {
      throw new ParseFailure("bad repeating decimal at " + pos);
    }
    int dot = literal.indexOf('.');
    int m = dot < 0 ? 0 : literal.length() - dot - 1;
    // value = prefix + 0.00..0(digits repeating) = prefix + digits / (10^m * (10^k - 1))
    java.math.BigInteger tenM = java.math.BigInteger.TEN.pow(m);
    java.math.BigInteger nines = java.math.BigInteger.TEN.pow(digits.length())
        .subtract(java.math.BigInteger.ONE);
    BigRational tail = BigRational.of(new java.math.BigInteger(digits), tenM.multiply(nines));
    pos = close + 1;
    return prefix.add(tail);
  }

  private Node parseArgument() throws ParseFailure {
    skipWs();
    char c = peek();
    if (c == '{') {
      return parseGroup('{', '}');
    }
    if (c == '(') {
      return parseGroup('(', ')');
    }
    if (Character.isDigit(c)) {
      pos++;
      return Node.number(BigRational.of(c - '0'));
    }
    if (Character.isLetter(c) || c == '\\') {
      return parsePrimary();
    }
    throw new ParseFailure("expected an argument at " + pos);
  }

  private Node parseCommand() throws ParseFailure {
    String cmd = peekCommand();
    if (cmd == null || cmd.isEmpty()) {
      throw new ParseFailure("dangling backslash");
    }
    consumeCommand(cmd);
    switch (cmd) {
      case "frac": {
        Node n = parseArgument();
        Node d = parseArgument();
        return Node.of(Node.Kind.DIV, n, d);
      }
      case "sqrt": {
        skipWs();
        Node index = Node.number(BigRational.of(2));
        if (peek() == '[') {
          index = parseGroup('[', ']');
        }
        return Node.of(Node.Kind.ROOT, parseArgument(), index);
      }
      case "binom":
      case "choose": {
        Node n = parseArgument();
        Node k = parseArgument();
        return Node.of(Node.Kind.BINOM, n, k);
      }
      case "pi":
        return Node.PI;
      case "infty":
        return Node.INFINITY;
      default:
        if (FUNCTIONS.contains(cmd)) {
          return parseFunction(cmd);
        }
        if (GREEK.contains(cmd)) {
          if (peek() == '_') {
            return Node.variable("\\" + cmd + "_" + readSubscript());
          }
          return Node.variable("\\" + cmd);
        }
        throw new ParseFailure("unsupported command \\" + cmd);
    }
  }

  private Node parseFunction(String name) throws ParseFailure {
    Node power = null;
    Node base = null;
    for (int k = 0; k < 2; k++) {
      skipWs();
      if (peek() == '^' && power == null) {
        pos++;
        power = parseArgument();
      } else if (peek() == '_' && base == null && name.equals("log")) {
        pos++;
        base = parseArgument();
      }
    }
    if (power != null && power.kind == Node.Kind.NEG && power.kids[0].kind == Node.Kind.NUM
        && power.kids[0].num.equals(BigRational.ONE) && !name.startsWith("arc")) {
      name = "arc" + name; // \sin^{-1} x
      power = null;
    }
    skipWs();
    Node arg;
    if (peek() == '(' || peek() == '{') {
      arg = parsePower();
    } else {
      arg = parsePower();
      while (true) {
        skipWs();
        if (peek() == '\\' && FUNCTIONS.contains(peekCommand())) {
          break;
        }
        if (!startsImplicitFactor() || peek() == '(') {
          break;
        }
        arg = multiply(arg, parsePower());
      }
    }
    Node f = base == null ? Node.func(name, arg) : Node.func(name, arg, base);
    return power == null ? f : Node.of(Node.Kind.POW, f, power);
  }
}
